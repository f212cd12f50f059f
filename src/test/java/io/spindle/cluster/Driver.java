package io.spindle.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * A running (client-mode) Spark driver JVM started by {@link StandaloneCluster#submit}: its
 * merged stdout/stderr go to {@link #output()}. It can be awaited with a timeout or killed with
 * SIGKILL mid-run (e.g. to test resume after a killed driver).
 */
public final class Driver {

  private final Process process;
  private final Path output;
  private final Duration timeout;
  private final List<String> command;
  private final Supplier<String> clusterDiagnostics;

  Driver(Process process, Path output, Duration timeout, List<String> command,
      Supplier<String> clusterDiagnostics) {
    this.process = process;
    this.output = output;
    this.timeout = timeout;
    this.command = List.copyOf(command);
    this.clusterDiagnostics = clusterDiagnostics;
  }

  /** Waits up to the submission's timeout; see {@link #awaitExit(Duration)}. */
  public int awaitExit() {
    return awaitExit(timeout);
  }

  /**
   * Waits for the driver to exit and returns its exit code. On timeout the driver (and anything
   * it started) is killed and an {@link AssertionError} shows the end of its output and of the
   * cluster's logs.
   */
  public int awaitExit(Duration wait) {
    if (!Processes.awaitExit(process, wait)) {
      kill();
      throw new AssertionError("the Spark driver did not finish within " + wait
          + "; killed it.\n" + describe());
    }
    return process.exitValue();
  }

  /**
   * Waits until the driver's output contains {@code text} (e.g. a progress line, to act
   * mid-training). Fails if the driver exits first or the timeout passes.
   */
  public void awaitOutput(String text, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!outputText().contains(text)) {
      if (!process.isAlive()) {
        // One last look: the line may have been written just before the exit.
        if (outputText().contains(text)) {
          return;
        }
        throw new AssertionError("the driver exited (code " + process.exitValue()
            + ") before printing \"" + text + "\"\n" + describe());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the driver did not print \"" + text + "\" within " + wait
            + "\n" + describe());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILLs the driver JVM (and its descendants) and waits until it is gone. */
  public void kill() {
    Processes.killTree(process.toHandle(), Duration.ofSeconds(30));
  }

  public long pid() {
    return process.pid();
  }

  /** The driver's merged stdout and stderr. */
  public Path output() {
    return output;
  }

  public String outputText() {
    try {
      return new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + output + ": " + e + ")";
    }
  }

  public List<String> command() {
    return command;
  }

  /** For assertion messages: the command, the end of the driver output and the cluster logs. */
  public String describe() {
    return "driver command: " + String.join(" ", command) + "\n"
        + Processes.tail(output, 60) + "\n" + clusterDiagnostics.get();
  }
}
