package io.spindle.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Collects every bad input a CLI test tries, with the message shown and the exit code, into
 * {@code target/bad-inputs/<table>.md} (a Markdown table for the project notes). Paths under the
 * test's temporary directory are shortened to {@code $TMP}.
 */
final class BadInputTable {

  private BadInputTable() {}

  static void start(String table, String title) {
    Path file = file(table);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "### " + title + "\n\n| input | message shown (stderr) | exit code |\n"
          + "|---|---|---|\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void row(String table, Path tmp, String input, int exitCode, String message) {
    String shown = message.strip().replace(tmp.toAbsolutePath().toString(), "$TMP")
        .replace(Path.of("").toAbsolutePath().toString(), ".")
        .replace("|", "\\|").replace("\n", " <br> ");
    try {
      Files.writeString(file(table), "| " + input.replace("|", "\\|") + " | `" + shown + "` | "
          + exitCode + " |\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path file(String table) {
    return Path.of("target", "bad-inputs", table + ".md");
  }
}
