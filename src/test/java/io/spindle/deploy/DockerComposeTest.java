package io.spindle.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spindle.cluster.Processes;
import io.spindle.cluster.StandaloneCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/docker-compose.yml validated offline by Debian's docker-compose (no Docker engine is
 * needed for {@code config}), and docker/Dockerfile kept in step with the pom and the compose
 * file. A missing docker-compose is a failure, not a skip: .ci/run installs it.
 */
class DockerComposeTest {

  private static final Path PROJECT = StandaloneCluster.projectDir();
  private static final Path COMPOSE = PROJECT.resolve("docker/docker-compose.yml");

  private static Processes.Result compose(String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("docker-compose", "-f", COMPOSE.toString()));
    command.addAll(List.of(args));
    try {
      // No daemon is contacted by `config`; point DOCKER_HOST nowhere to be sure.
      return Processes.run(command, PROJECT, Map.of("DOCKER_HOST", "unix:///nonexistent.sock"),
          Duration.ofSeconds(60));
    } catch (java.io.UncheckedIOException e) {
      fail("docker-compose is not installed: install Debian's docker-compose"
          + " (apt-get install -y docker-compose; .ci/run does this). " + e.getCause());
      throw e;
    }
  }

  @Test
  void composeFileIsValidAndNamesTheClusterServices() {
    Processes.Result config = compose("config");
    assertEquals(0, config.exitCode(), config.output());

    Processes.Result services = compose("config", "--services");
    assertEquals(0, services.exitCode(), services.output());
    assertEquals(List.of("spark-master", "spark-worker-1", "spark-worker-2", "submit"),
        services.output().lines().map(String::strip).filter(line -> !line.isEmpty()).sorted()
            .toList());
  }

  @Test
  void submitServiceRunsTheMnistJobAgainstTheMasterWithTheJvmFlags() {
    Processes.Result config = compose("config");
    assertEquals(0, config.exitCode(), config.output());
    String resolved = config.output();
    String submit = resolved.substring(resolved.indexOf("\n  submit:"));
    for (String expected : List.of("/opt/spark/bin/spark-submit", "spark://spark-master:7077",
        "io.spindle.cli.SpindleCli", "/opt/spindle/conf/spark-defaults.conf",
        "local:///opt/spindle/spindle.jar", "/opt/spindle/conf/lenet5-mnist.conf")) {
      assertTrue(submit.contains("- " + expected), "submit command lacks " + expected + ":\n" + submit);
    }
    assertTrue(resolved.contains("context: " + PROJECT), "builds from the repository root");
  }

  @Test
  void dockerfileUsesTheProjectsSparkVersionAndCopiesWhatComposeUses() throws IOException {
    String pom = Files.readString(PROJECT.resolve("pom.xml"), StandardCharsets.UTF_8);
    String dockerfile = Files.readString(PROJECT.resolve("docker/Dockerfile"), StandardCharsets.UTF_8);
    String sparkVersion = tag(pom, "spark.version");
    String scala = tag(pom, "scala.binary.version");
    String version = firstMatch(pom, "<version>([^<]+)</version>");

    assertTrue(dockerfile.contains("ARG SPARK_IMAGE=apache/spark:" + sparkVersion + "-scala" + scala
        + "-java17-ubuntu\nFROM ${SPARK_IMAGE}"), "official Spark " + sparkVersion + " image");
    assertTrue(dockerfile.contains("ARG SPINDLE_JAR=target/spindle-" + version + ".jar"),
        "the jar of this version");
    for (String copy : List.of("COPY ${SPINDLE_JAR} /opt/spindle/spindle.jar",
        "COPY conf/ /opt/spindle/conf/", "COPY data/mnist/ /opt/spindle/data/mnist/",
        "COPY conf/spark-defaults.conf /opt/spark/conf/spark-defaults.conf")) {
      assertTrue(dockerfile.contains(copy), "Dockerfile lacks: " + copy);
    }
    for (Path needed : List.of(PROJECT.resolve("conf/lenet5-mnist.conf"),
        PROJECT.resolve("conf/spark-defaults.conf"),
        PROJECT.resolve("data/mnist/train-images-idx3-ubyte.gz"))) {
      assertTrue(Files.isRegularFile(needed), "the image needs " + needed);
    }
    String compose = Files.readString(COMPOSE, StandardCharsets.UTF_8);
    assertTrue(compose.contains("image: spindle:" + version), "compose tags the image " + version);
  }

  private static String tag(String xml, String name) {
    return firstMatch(xml, "<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">");
  }

  private static String firstMatch(String text, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(text);
    assertTrue(matcher.find(), "no match for " + regex);
    return matcher.group(1);
  }
}
