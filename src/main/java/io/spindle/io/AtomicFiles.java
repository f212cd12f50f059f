package io.spindle.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes a local file so that readers see either the old content or the complete new one, never
 * a half-written file: the bytes go to a temporary file in the same directory (so the rename
 * stays on one file system), are forced to disk, and the temporary file is renamed over the
 * target with {@link StandardCopyOption#ATOMIC_MOVE}. On any failure the temporary file is
 * removed and the old target is left as it was.
 */
public final class AtomicFiles {

  /** Writes the content to an output stream; may throw IOException. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  public static void write(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content));
  }

  /**
   * Atomically replaces {@code target} with what {@code writer} produces.
   *
   * @throws IOException when writing, syncing or renaming fails (the target is then untouched),
   *     or when the file system cannot rename atomically
   */
  public static void write(Path target, Writer writer) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path name = absolute.getFileName();
    if (dir == null || name == null) {
      throw new IOException(target + " is not a file path");
    }
    // Not Files.createTempFile: that makes the file owner-only (0600), and the rename would
    // carry those permissions to the target; CREATE_NEW uses the process umask like any file.
    Path tmp = dir.resolve("." + name + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    boolean moved = false;
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        writer.writeTo(out);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + target + " atomically on this file system: "
            + e.getMessage(), e);
      }
      moved = true;
      syncDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Makes the rename itself durable where the platform allows syncing a directory. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Not possible on every platform (e.g. Windows); the rename is still atomic.
    }
  }
}
