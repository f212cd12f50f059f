package io.spindle.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir
  Path dir;

  private List<Path> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void writesAndReplacesLeavingNoTemporaryFiles() throws IOException {
    Path target = dir.resolve("metrics.csv");
    AtomicFiles.writeString(target, "one");
    AtomicFiles.writeString(target, "two");
    assertEquals("two", Files.readString(target));
    assertEquals(List.of(target), listing());
  }

  @Test
  void failedWriteKeepsTheOldContent() throws IOException {
    Path target = dir.resolve("model.bin");
    AtomicFiles.writeString(target, "old");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
      out.write("half".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("old", Files.readString(target));
    assertEquals(List.of(target), listing());
  }

  @Test
  void newFilesGetOrdinaryPermissions() throws IOException {
    Path target = dir.resolve("chart.png");
    AtomicFiles.writeBytes(target, new byte[] {1});
    Path plain = Files.createFile(dir.resolve("plain"));
    assertTrue(Files.isReadable(target) && Files.isWritable(target), "readable and writable");
    // Without POSIX permissions (e.g. Windows) there is nothing more to compare: the test is
    // then reported as skipped, with this reason, rather than passing unchecked.
    assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"),
        "the file store of " + dir + " has no POSIX permissions to compare");
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
  }
}
