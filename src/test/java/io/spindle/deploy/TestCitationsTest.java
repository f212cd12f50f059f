package io.spindle.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.cluster.StandaloneCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A comment that sends the reader to another test (package, dot, class name ending in Test or
 * IT, optionally #method: "the real SIGKILL is in cluster.<Name>IT") must name a test class
 * that exists, and a test method it declares when it names one.
 */
class TestCitationsTest {

  private static final Path TESTS = StandaloneCluster.projectDir().resolve("src/test/java");
  /** package.ClassTest or package.ClassIT, optionally #method, inside a comment line. */
  private static final Pattern CITATION = Pattern.compile(
      "\\b(?:io\\.spindle\\.)?([a-z]+)\\.([A-Z][A-Za-z0-9]*(?:Test|IT))\\b(?:#([A-Za-z0-9]+))?");
  private static final Pattern COMMENT = Pattern.compile("^\\s*(\\*|//)");

  @Test
  void citedTestClassesAndMethodsExist() throws IOException {
    List<String> missing = new ArrayList<>();
    int citations = 0;
    try (Stream<Path> files = Files.walk(TESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          if (!COMMENT.matcher(lines.get(i)).find()) {
            continue;
          }
          Matcher m = CITATION.matcher(lines.get(i));
          while (m.find()) {
            citations++;
            Path cited = TESTS.resolve("io/spindle/" + m.group(1) + "/" + m.group(2) + ".java");
            String where = TESTS.relativize(file) + ":" + (i + 1) + " cites " + m.group();
            if (!Files.exists(cited)) {
              missing.add(where + ": no such test class");
            } else if (m.group(3) != null
                && !Files.readString(cited).contains(" " + m.group(3) + "(")) {
              missing.add(where + ": " + m.group(2) + " has no method " + m.group(3));
            }
          }
        }
      }
    }
    assertTrue(citations >= 5, "found only " + citations + " citations; is the pattern right?");
    assertEquals(List.of(), missing);
  }
}
