package io.spindle.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags every Spindle JVM needs, read from {@code conf/jvm-flags.txt} with the same rules
 * as {@code submit/spindle}: one flag per line, {@code #} starts a comment, blank lines ignored.
 */
public final class JvmFlags {

  private JvmFlags() {}

  /** The flags of this project's {@code conf/jvm-flags.txt}. */
  public static List<String> list() {
    return parse(StandaloneCluster.projectDir().resolve("conf/jvm-flags.txt"));
  }

  public static List<String> parse(Path file) {
    try {
      List<String> flags = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int comment = line.indexOf('#');
        String flag = (comment >= 0 ? line.substring(0, comment) : line).strip();
        if (!flag.isEmpty()) {
          flags.add(flag);
        }
      }
      return flags;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the JVM flag list " + file, e);
    }
  }
}
