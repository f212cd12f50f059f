package io.spindle.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/** Write-then-rename helpers, so readers never see a half-written file or directory. */
public final class AtomicFiles {

  /** Writes a file's content to a stream (PNG encoders, CSV writers); may throw IOException. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** Writes {@code text} to {@code file} through a temporary sibling and an atomic rename. */
  public static void writeString(Path file, String text) throws IOException {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
  }

  public static void writeBytes(Path file, byte[] bytes) throws IOException {
    write(file, out -> out.write(bytes));
  }

  /**
   * Writes what {@code writer} produces to {@code file} through a temporary sibling, forced to
   * disk before the atomic rename, so a crash or a full disk leaves the old file intact. On
   * failure the temporary file is removed and the exception rethrown.
   */
  public static void write(Path file, Writer writer) throws IOException {
    Path abs = file.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        writer.writeTo(out);
        out.flush();
        channel.force(true);
      }
      move(tmp, abs);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Puts the complete directory {@code tmp} at {@code target}. An existing target is first
   * renamed aside and deleted only after the new one is in place, so at every instant either
   * the old or the new directory exists in full (the old one possibly under a ".old-" name).
   */
  public static void replaceDirectory(Path tmp, Path target) throws IOException {
    Path abs = target.toAbsolutePath();
    Path old = null;
    if (Files.exists(abs)) {
      old = abs.resolveSibling("." + abs.getFileName() + ".old-" + UUID.randomUUID());
      move(abs, old);
    }
    try {
      move(tmp, abs);
    } catch (IOException e) {
      if (old != null) {
        move(old, abs);
      }
      throw e;
    }
    if (old != null) {
      deleteRecursively(old);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Deletes a file or directory tree if it exists. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
