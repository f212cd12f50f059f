package io.spindle.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.io.SpindleModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's two commands, read from the README itself: the test command is what .ci/run
 * runs, and the main-job command (LeNet-5 on MNIST through submit/spindle, embedded Spark) runs
 * as written on a reduced config ({@code --set data.limit=...}) and leaves every output the
 * README promises.
 */
class ReadmeCommandsIT {

  private static final Path PROJECT = StandaloneCluster.projectDir();

  /** The indented command lines of the README's "The two commands" section. */
  private static List<String> twoCommands() throws IOException {
    String readme = Files.readString(PROJECT.resolve("README.md"));
    int start = readme.indexOf("## The two commands");
    assertTrue(start >= 0, "README has a 'The two commands' section");
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end).lines()
        .filter(l -> l.startsWith("    ") && !l.isBlank()).map(String::strip).toList();
  }

  @Test
  void theTestCommandIsWhatCiRuns() throws IOException {
    List<String> commands = twoCommands();
    assertEquals(2, commands.size(), "two commands: " + commands);
    String testCommand = commands.get(1);
    List<String> ciLines = Files.readAllLines(PROJECT.resolve(".ci/run")).stream()
        .map(String::strip).filter(l -> !l.startsWith("#")).toList();
    assertTrue(ciLines.contains(testCommand), ".ci/run runs '" + testCommand + "': " + ciLines);
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void theMainJobRunsAsWrittenOnAReducedConfig() throws Exception {
    String mainJob = twoCommands().get(0);
    List<String> command = new ArrayList<>(Arrays.asList(mainJob.split("\\s+")));
    assertEquals("submit/spindle", command.get(0), mainJob);
    assertEquals("train", command.get(1), mainJob);
    int outputAt = command.indexOf("--output");
    assertTrue(outputAt > 0, "the main job names its --output: " + mainJob);

    Path output = Files.createTempDirectory(
        Files.createDirectories(PROJECT.resolve("target/cluster-it")), "readme-").resolve("run");
    command.set(0, PROJECT.resolve("submit/spindle").toString());
    command.set(outputAt + 1, output.toString());
    for (String set : List.of("data.limit=2000", "data.test-limit=1000", "training.epochs=1",
        "spark.master=local[2]")) {
      command.add("--set");
      command.add(set);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPINDLE_JAR", StandaloneCluster.appJar().toString()); // as built; no rebuild here
    env.put("SPARK_HOME", null);

    Processes.Result run = Processes.run(command, PROJECT, env, Duration.ofSeconds(200));

    assertEquals(0, run.exitCode(), String.join(" ", command) + "\n" + run.output());
    JsonNode summary = new ObjectMapper().readTree(output.resolve("summary.json").toFile());
    assertEquals(1, summary.path("epochs").asInt());
    assertEquals(2000, summary.path("config").path("data").path("limit").asInt());
    assertTrue(summary.path("test_accuracy").asDouble() > 0.5, summary.toString());
    assertEquals(summary.path("parameters").asInt(),
        SpindleModel.load(output.resolve("model")).params().length);
    for (String file : List.of("metrics.csv", "metrics.jsonl", "training-curves.png")) {
      assertTrue(Files.size(output.resolve(file)) > 0, file);
    }
    assertEquals(2, Files.readAllLines(output.resolve("metrics.csv")).size(), "header + 1 epoch");
  }
}
