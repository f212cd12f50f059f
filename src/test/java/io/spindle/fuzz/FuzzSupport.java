package io.spindle.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * What the fuzz targets share: a scratch directory per JVM, the message checks and the
 * byte-level mutations.
 */
public final class FuzzSupport {

  private FuzzSupport() {}

  /**
   * A fresh, empty directory {@code name} under this JVM's scratch directory (one fuzzing run
   * executes the target thousands of times, so directories are reused, not piled up).
   */
  public static Path emptyDir(String name) {
    Path dir = Scratch.ROOT.resolve(name);
    deleteRecursively(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Fails unless {@code message} is what the readers promise: present, one line (no CR or LF,
   * so a hostile file cannot forge extra log or terminal lines), naming {@code subject} (the
   * file, directory or key at fault).
   */
  public static void requireUsableMessage(Throwable error, String subject) {
    String m = error.getMessage();
    if (m == null || m.isBlank()) {
      throw new AssertionError("no message", error);
    }
    if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
      throw new AssertionError("message is not one line: " + m, error);
    }
    if (subject != null && !m.contains(subject)) {
      throw new AssertionError("message does not name " + subject + ": " + m, error);
    }
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static void deleteRecursively(Path path) {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Created on first use, removed when the JVM exits. */
  private static final class Scratch {
    static final Path ROOT = create();

    private static Path create() {
      try {
        Path root = Files.createTempDirectory("spindle-fuzz-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(root)));
        return root;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Up to two byte-level mutations of {@code original}, drawn from {@code data}: splice, cut,
   * append or flip one byte (kinds 0-3, in that order; splices of at most {@code maxSplice}).
   */
  public static byte[] mutateBytes(FuzzedDataProvider data, byte[] original, int maxSplice) {
    byte[] b = original;
    for (int n = data.consumeInt(0, 2); n > 0; n--) {
      int kind = data.consumeInt(0, 3);
      int at = data.consumeInt(0, b.length);
      switch (kind) {
        case 0 -> {
          int removed = Math.min(b.length - at, data.consumeInt(0, maxSplice));
          byte[] insert = data.consumeBytes(data.consumeInt(0, maxSplice));
          byte[] out = new byte[b.length - removed + insert.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(insert, 0, out, at, insert.length);
          System.arraycopy(b, at + removed, out, at + insert.length, b.length - at - removed);
          b = out;
        }
        case 1 -> b = java.util.Arrays.copyOf(b, at);
        case 2 -> {
          byte[] tail = data.consumeBytes(data.consumeInt(0, maxSplice));
          b = java.util.Arrays.copyOf(b, b.length + tail.length);
          System.arraycopy(tail, 0, b, b.length - tail.length, tail.length);
        }
        default -> {
          if (at < b.length) {
            b = b.clone();
            b[at] ^= (byte) data.consumeInt(1, 255);
          }
        }
      }
    }
    return b;
  }
}
