package io.spindle.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Checksums from an {@code MD5SUMS} file (the format {@code md5sum} writes: 32 hex digits, two
 * spaces or " *", a file name) that sits beside the data files it lists. Data readers ask
 * {@link #expectedFor(Path)} and digest the file while they read it, so verification costs no
 * second pass; {@link #verify(Path)} checks a file on its own.
 */
public final class Md5Sums {

  public static final String FILE_NAME = "MD5SUMS";

  /** An MD5SUMS file is a few lines; anything larger is not one. */
  private static final long MAX_SUMS_BYTES = 1 << 20;

  private Md5Sums() {}

  /**
   * The MD5 (lowercase hex) that the MD5SUMS beside {@code file} lists for it, or empty when there
   * is no MD5SUMS there or it does not name the file.
   *
   * @throws DataFormatException when the MD5SUMS file is malformed
   */
  public static Optional<String> expectedFor(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return Optional.empty();
    }
    Path sums = file.toAbsolutePath().resolveSibling(FILE_NAME);
    if (!Files.isRegularFile(sums)) {
      return Optional.empty();
    }
    return Optional.ofNullable(parse(sums, displaySibling(file)).get(name.toString()));
  }

  /**
   * File name to lowercase MD5 hex for every line of an MD5SUMS file. Blank lines and lines
   * starting with '#' are skipped; entries in subdirectories are ignored.
   */
  public static Map<String, String> parse(Path sums) {
    return parse(sums, sums);
  }

  private static Map<String, String> parse(Path sums, Path shownAs) {
    byte[] bytes;
    try {
      if (Files.size(sums) > MAX_SUMS_BYTES) {
        throw new DataFormatException(shownAs + ": larger than " + MAX_SUMS_BYTES
            + " bytes, so not a checksum list; remove or replace it");
      }
      bytes = Files.readAllBytes(sums);
    } catch (IOException e) {
      throw new UncheckedIOException(shownAs + ": cannot read: " + e.getMessage(), e);
    }
    Map<String, String> out = new HashMap<>();
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int sep = line.indexOf(' ');
      String hex = sep < 0 ? line : line.substring(0, sep);
      String name = sep < 0 ? "" : line.substring(sep + 1).stripLeading();
      if (name.startsWith("*")) {
        name = name.substring(1); // md5sum's binary-mode marker
      }
      if (name.startsWith("./")) {
        name = name.substring(2);
      }
      if (!isMd5Hex(hex) || name.isEmpty()) {
        throw new DataFormatException(shownAs + " line " + (i + 1)
            + ": expected '<32 hex digits>  <file name>', got '" + abbreviate(line)
            + "'; fix or regenerate it with md5sum");
      }
      if (name.indexOf('/') < 0) {
        out.put(name, hex.toLowerCase());
      }
    }
    return out;
  }

  /**
   * Checks {@code file} against the MD5SUMS beside it, reading it once.
   *
   * @return true when it was listed and matched, false when no checksum is listed for it
   * @throws DataFormatException on a mismatch
   */
  public static boolean verify(Path file) {
    Optional<String> expected = expectedFor(file);
    if (expected.isEmpty()) {
      return false;
    }
    String actual = md5Hex(file);
    if (!actual.equals(expected.get())) {
      throw mismatch(file, expected.get(), actual);
    }
    return true;
  }

  /** The MD5 of a file's bytes, lowercase hex. */
  public static String md5Hex(Path file) {
    MessageDigest md5 = newMd5();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int r; (r = in.read(buffer)) > 0; ) {
        md5.update(buffer, 0, r);
      }
    } catch (NoSuchFileException e) {
      throw new DataFormatException(file + ": no such file; check the path");
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(md5.digest());
  }

  static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no MD5", e); // every Java SE JVM has it
    }
  }

  static DataFormatException mismatch(Path file, String expected, String actual) {
    return new DataFormatException(file + ": checksum mismatch, expected " + expected + ", got "
        + actual + " (from " + displaySibling(file) + "); re-copy the file");
  }

  /** The MD5SUMS path as the user would recognise it: beside the file as the file was named. */
  private static Path displaySibling(Path file) {
    return file.getParent() == null ? Path.of(FILE_NAME) : file.resolveSibling(FILE_NAME);
  }

  private static boolean isMd5Hex(String s) {
    if (s.length() != 32) {
      return false;
    }
    for (int i = 0; i < 32; i++) {
      if (Character.digit(s.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The line as shown in a message: shortened, and with control characters escaped so that a
   * stray carriage return (or a terminal escape) in a hostile file cannot break the one-line
   * message or rewrite what the user sees.
   */
  private static String abbreviate(String s) {
    String shown = s.length() <= 60 ? s : s.substring(0, 57) + "...";
    StringBuilder out = new StringBuilder(shown.length());
    shown.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }
}
