package io.spindle.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Child processes for tests: every wait has a timeout, output goes to a file (no pipe can fill
 * up and stall a child), and killing takes the whole process tree down.
 */
public final class Processes {

  private Processes() {}

  /** Exit code and merged stdout/stderr of a finished command. */
  public record Result(int exitCode, String output) {}

  /**
   * Runs {@code command} to completion with {@code extraEnv} added to this JVM's environment
   * (a {@code null} value removes a variable). On timeout the process tree is killed and an
   * {@link AssertionError} names the command and shows the end of its output.
   */
  public static Result run(List<String> command, Path workDir, Map<String, String> extraEnv,
      Duration timeout) {
    try {
      Path log = Files.createTempFile("spindle-process-", ".log");
      try {
        Process process = start(command, workDir, extraEnv, log);
        if (!awaitExit(process, timeout)) {
          killTree(process.toHandle(), Duration.ofSeconds(20));
          throw new AssertionError("timed out after " + timeout + ": " + command + "\n" + tail(log, 40));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    }
  }

  /** Starts {@code command} with stdout and stderr appended to {@code log}. */
  public static Process start(List<String> command, Path workDir, Map<String, String> extraEnv,
      Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    extraEnv.forEach((key, value) -> {
      if (value == null) {
        env.remove(key);
      } else {
        env.put(key, value);
      }
    });
    return builder.start();
  }

  /** Waits up to {@code timeout} for exit; false if it is still running. */
  public static boolean awaitExit(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * SIGKILLs {@code root} and all its descendants (children first are collected before the
   * parent dies, so orphans are not missed), then waits for each to be gone.
   */
  public static void killTree(ProcessHandle root, Duration wait) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(root);
    killAll(all, wait);
  }

  /** SIGKILLs every handle, then waits up to {@code wait} in total for all to be gone. */
  public static void killAll(List<ProcessHandle> handles, Duration wait) {
    handles.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + wait.toNanos();
    for (ProcessHandle handle : handles) {
      long left = Math.max(1, deadline - System.nanoTime());
      try {
        handle.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        // Reported by whoever checks isAlive(); cleanup must go on with the others.
      }
    }
  }

  /** The full command line of a process, from /proc (exact on Linux), else what the JDK knows. */
  public static String commandLine(ProcessHandle handle) {
    Path cmdline = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
    try {
      byte[] bytes = Files.readAllBytes(cmdline);
      if (bytes.length > 0) {
        return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').trim();
      }
    } catch (IOException | SecurityException e) {
      // Process gone or /proc unavailable: fall back below.
    }
    Optional<String> line = handle.info().commandLine();
    return line.orElse("");
  }

  /** A TCP port free on 127.0.0.1 right now (another process may still take it; rare). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /** The last {@code lines} lines of a text file, or a note that it cannot be read. */
  public static String tail(Path file, int lines) {
    try {
      if (!Files.exists(file)) {
        return "(no file " + file + ")";
      }
      List<String> all = List.of(
          new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1));
      return "--- last lines of " + file + " ---\n"
          + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
