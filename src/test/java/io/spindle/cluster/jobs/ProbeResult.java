package io.spindle.cluster.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The result file of {@link ClusterProbeJob}, parsed. Lines:
 * <pre>
 * master spark://127.0.0.1:PORT
 * driver vector=true openblas=1 blas=VectorBLAS home=URL_ENCODED_SPINDLE_HOME
 * task INDEX EXECUTOR_ID SUM vector=true openblas=1 blas=VectorBLAS home=unset
 * ...
 * </pre>
 */
public record ProbeResult(String master, Map<String, String> driver, List<Task> tasks) {

  /** One task's report. */
  public record Task(int index, String executorId, long sumOfSquares, Map<String, String> setup) {}

  /** The file the job writes just before it starts its Spark job. */
  public static Path runningMarker(Path resultFile) {
    return resultFile.resolveSibling(resultFile.getFileName() + ".running");
  }

  public static ProbeResult read(Path file) {
    try {
      String master = null;
      Map<String, String> driver = Map.of();
      List<Task> tasks = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] words = line.split(" ");
        switch (words[0]) {
          case "master" -> master = words[1];
          case "driver" -> driver = settings(words, 1);
          case "task" -> tasks.add(new Task(Integer.parseInt(words[1]), words[2],
              Long.parseLong(words[3]), settings(words, 4)));
          default -> throw new IllegalArgumentException("unexpected line in " + file + ": " + line);
        }
      }
      return new ProbeResult(master, driver, tasks);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the probe result " + file, e);
    }
  }

  private static Map<String, String> settings(String[] words, int from) {
    Map<String, String> settings = new TreeMap<>();
    for (int i = from; i < words.length; i++) {
      int eq = words[i].indexOf('=');
      settings.put(words[i].substring(0, eq),
          java.net.URLDecoder.decode(words[i].substring(eq + 1), StandardCharsets.UTF_8));
    }
    return settings;
  }

  public long totalSumOfSquares() {
    return tasks.stream().mapToLong(Task::sumOfSquares).sum();
  }

  public Set<String> executorIds() {
    Set<String> ids = new TreeSet<>();
    tasks.forEach(task -> ids.add(task.executorId()));
    return ids;
  }
}
