package io.spindle.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to hand to {@code SparkSubmit}: the application jar, its main class and arguments, and
 * Spark settings. Immutable; the {@code with...} methods return changed copies.
 *
 * <pre>{@code
 * Submission job = Submission.spindleCli("train", "--config", "conf/lenet5-mnist.conf",
 *         "--set", "data.limit=2000", "--output", out.toString())
 *     .withConf("spark.locality.wait", "0s")
 *     .withTimeout(Duration.ofMinutes(2));
 * Driver driver = cluster.submit(job);
 * }</pre>
 */
public final class Submission {

  /** Main class of the application jar. */
  public static final String SPINDLE_CLI = "io.spindle.cli.SpindleCli";

  private final Path appJar;
  private final String mainClass;
  private final List<String> args;
  private final Map<String, String> conf;
  private final List<Path> jars;
  private final String driverMemory;
  private final Duration timeout;
  private final String name;

  private Submission(Path appJar, String mainClass, List<String> args, Map<String, String> conf,
      List<Path> jars, String driverMemory, Duration timeout, String name) {
    this.appJar = Objects.requireNonNull(appJar, "appJar");
    this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
    this.args = List.copyOf(args);
    this.conf = Map.copyOf(conf);
    this.jars = List.copyOf(jars);
    this.driverMemory = driverMemory;
    this.timeout = timeout;
    this.name = name;
  }

  /**
   * A submission with the defaults the cluster tests want: no Spark UI, 1g executors, 1g
   * driver heap, a 3-minute timeout. The JVM flags and {@code OPENBLAS_NUM_THREADS=1} for
   * executors are added by {@link StandaloneCluster#submit} unless set here.
   */
  public static Submission of(Path appJar, String mainClass) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.executor.memory", "1g");
    return new Submission(appJar, mainClass, List.of(), conf, List.of(), "1g",
        Duration.ofMinutes(3), simpleName(mainClass));
  }

  /** The Spindle CLI from the application jar built by {@code mvn package}, with its arguments. */
  public static Submission spindleCli(String... cliArgs) {
    return of(StandaloneCluster.appJar(), SPINDLE_CLI).withArgs(cliArgs).withName("spindle");
  }

  public Submission withArgs(String... newArgs) {
    return new Submission(appJar, mainClass, Arrays.asList(newArgs), conf, jars, driverMemory,
        timeout, name);
  }

  public Submission withArgs(List<String> newArgs) {
    return withArgs(newArgs.toArray(String[]::new));
  }

  /** Sets one Spark property ({@code --conf key=value}). */
  public Submission withConf(String key, String value) {
    Map<String, String> changed = new LinkedHashMap<>(conf);
    changed.put(key, value);
    return new Submission(appJar, mainClass, args, changed, jars, driverMemory, timeout, name);
  }

  /** Extra jars for driver and executors ({@code --jars}). */
  public Submission withJars(Path... extraJars) {
    List<Path> changed = new ArrayList<>(jars);
    changed.addAll(Arrays.asList(extraJars));
    return new Submission(appJar, mainClass, args, conf, changed, driverMemory, timeout, name);
  }

  /** Heap of the driver JVM (client mode: the SparkSubmit JVM itself). */
  public Submission withDriverMemory(String memory) {
    return new Submission(appJar, mainClass, args, conf, jars, memory, timeout, name);
  }

  /** How long {@link Driver#awaitExit()} waits before killing the driver and failing. */
  public Submission withTimeout(Duration newTimeout) {
    return new Submission(appJar, mainClass, args, conf, jars, driverMemory, newTimeout, name);
  }

  /** Names the driver's output file ({@code <name>-<n>.log}) and the Spark application. */
  public Submission withName(String newName) {
    return new Submission(appJar, mainClass, args, conf, jars, driverMemory, timeout, newName);
  }

  public Path appJar() {
    return appJar;
  }

  public String mainClass() {
    return mainClass;
  }

  public List<String> args() {
    return args;
  }

  public Map<String, String> conf() {
    return conf;
  }

  public List<Path> jars() {
    return jars;
  }

  public String driverMemory() {
    return driverMemory;
  }

  public Duration timeout() {
    return timeout;
  }

  public String name() {
    return name;
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
