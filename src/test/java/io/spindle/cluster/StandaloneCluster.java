package io.spindle.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster for tests: one Master and N Workers, each a separate JVM bound
 * to 127.0.0.1, started from the Maven classpath with no Spark distribution.
 *
 * <p>How (see shared/docs/toolchain-facts.md): Workers launch executors with
 * {@code -cp $SPARK_HOME/jars/*}, so the cluster builds a fake {@code SPARK_HOME} whose
 * {@code jars/} links every jar a Spark installation provides (the provided-scope classpath
 * written by {@code mvn package} to {@code target/spark-classpath.txt}; Spindle itself is not
 * there: it reaches the cluster only in the submitted application jar), and sets
 * {@code SPARK_SCALA_VERSION=2.12}. Its {@code bin/spark-submit} builds the driver command with
 * Spark's own launcher library, as a real installation does, so {@code submit/spindle --master}
 * can be tested against it.
 *
 * <p>Everything is bounded by timeouts, and {@link #close()} SIGKILLs every process it started
 * (drivers, executors, workers, master) and waits for them, also after a failed start; a JVM
 * shutdown hook does the same if the test JVM is stopped. Use it with try-with-resources or
 * {@code @AfterAll}.
 *
 * <pre>{@code
 * try (StandaloneCluster cluster = StandaloneCluster.builder().workers(2).start()) {
 *   Driver driver = cluster.submit(Submission.of(StandaloneCluster.appJar(), MAIN).withArgs(...));
 *   cluster.awaitExecutors(2, Duration.ofSeconds(60));
 *   cluster.killOneExecutor();
 *   assertEquals(0, driver.awaitExit(), driver.describe());
 * }
 * }</pre>
 */
public final class StandaloneCluster implements AutoCloseable {

  /** System property (set by failsafe) naming the application jar built by {@code package}. */
  public static final String APP_JAR_PROPERTY = "spindle.app.jar";
  /** System property (set by failsafe) naming the provided-scope classpath file. */
  public static final String SPARK_CLASSPATH_PROPERTY = "spindle.spark.classpath";

  private static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";
  private static final Pattern EXECUTOR_ID = Pattern.compile("--executor-id (\\S+)");
  private static final Pattern APP_ID = Pattern.compile("--app-id (\\S+)");
  private static final Duration KILL_WAIT = Duration.ofSeconds(30);

  private final Path baseDir;
  private final Path sparkHome;
  private final Path logDir;
  private final int masterPort;
  private final int masterWebUiPort;
  private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger submissions = new AtomicInteger();
  private final List<Process> daemons = Collections.synchronizedList(new ArrayList<>());
  private final List<Process> workers = Collections.synchronizedList(new ArrayList<>());
  private final List<Process> drivers = Collections.synchronizedList(new ArrayList<>());
  private final Thread shutdownHook;
  private volatile boolean closed;

  private StandaloneCluster(Path baseDir) throws IOException {
    this.baseDir = baseDir;
    this.sparkHome = baseDir.resolve("spark-home");
    this.logDir = Files.createDirectories(baseDir.resolve("logs"));
    this.masterPort = Processes.freePort();
    this.masterWebUiPort = Processes.freePort();
    this.shutdownHook = new Thread(this::killEverything, "standalone-cluster-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings for {@link #start()}. */
  public static final class Builder {
    private int workers = 2;
    private int coresPerWorker = 1;
    private String workerMemory = "2g";
    private Path parentDir = projectDir().resolve("target/cluster-it");
    private Duration startTimeout = Duration.ofSeconds(120);

    private Builder() {}

    public Builder workers(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("a cluster needs at least one worker, got " + count);
      }
      this.workers = count;
      return this;
    }

    public Builder coresPerWorker(int cores) {
      this.coresPerWorker = cores;
      return this;
    }

    /** Memory each worker offers to executors (executors take spark.executor.memory of it). */
    public Builder workerMemory(String memory) {
      this.workerMemory = memory;
      return this;
    }

    /** Where the cluster's own folder (SPARK_HOME, logs, work dirs) is created. */
    public Builder parentDir(Path dir) {
      this.parentDir = dir;
      return this;
    }

    /** Bound on starting the master and having every worker registered. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /**
     * Starts the master and workers and returns once every worker has registered. On any failure
     * everything already started is killed before the exception (with the logs' ends) is thrown.
     */
    public StandaloneCluster start() {
      StandaloneCluster cluster;
      try {
        Files.createDirectories(parentDir);
        cluster = new StandaloneCluster(Files.createTempDirectory(parentDir, "cluster-"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the cluster folder under " + parentDir, e);
      }
      try {
        cluster.startAll(workers, coresPerWorker, workerMemory, startTimeout);
        return cluster;
      } catch (RuntimeException | Error e) {
        String diagnostics = cluster.diagnostics();
        cluster.close();
        throw new AssertionError("the standalone cluster did not start: " + e.getMessage()
            + "\n" + diagnostics, e);
      }
    }
  }

  // --- Where things are --------------------------------------------------------------------

  /** The Maven project folder (surefire/failsafe set {@code basedir}). */
  public static Path projectDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  }

  /** The application jar made by {@code mvn package}; fails clearly if it is missing. */
  public static Path appJar() {
    return requiredBuildOutput(APP_JAR_PROPERTY, "the application jar");
  }

  /** The provided-scope classpath file written by {@code mvn package}. */
  public static Path sparkClasspathFile() {
    return requiredBuildOutput(SPARK_CLASSPATH_PROPERTY, "target/spark-classpath.txt");
  }

  private static Path requiredBuildOutput(String property, String what) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new AssertionError("system property " + property + " is not set: run the cluster"
          + " tests through Maven failsafe (mvn verify), which builds " + what + " first");
    }
    Path path = Path.of(value);
    if (!Files.isRegularFile(path)) {
      throw new AssertionError(what + " " + path + " does not exist: run `mvn package` (or"
          + " `mvn verify`) first");
    }
    return path;
  }

  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  public String masterWebUiUrl() {
    return "http://127.0.0.1:" + masterWebUiPort;
  }

  /** Number of workers this cluster was started with. */
  public int workerCount() {
    return workers.size();
  }

  /** This cluster's folder (under target/cluster-it): spark-home/, logs/, work/. */
  public Path baseDir() {
    return baseDir;
  }

  /** The fake SPARK_HOME (jars/ and bin/spark-submit); usable as SPARK_HOME for submit/spindle. */
  public Path sparkHome() {
    return sparkHome;
  }

  /** Master, worker and driver logs. */
  public Path logDir() {
    return logDir;
  }

  /** Work dir of worker {@code index} (0-based): executors' stdout/stderr live below it. */
  public Path workerDir(int index) {
    return baseDir.resolve("work").resolve("worker-" + index);
  }

  /** Environment every process of this cluster (and any driver talking to it) needs. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    return env;
  }

  // --- Starting -----------------------------------------------------------------------------

  private void startAll(int workerCount, int cores, String memory, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      writeSparkHome();
      Process master = startDaemon("master", List.of("org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", Integer.toString(masterPort),
          "--webui-port", Integer.toString(masterWebUiPort)));
      awaitCondition("the master to answer on " + masterWebUiUrl() + "/json/", deadline,
          List.of(master), () -> masterStateOrNull() != null);
      for (int i = 0; i < workerCount; i++) {
        Path workDir = Files.createDirectories(workerDir(i));
        workers.add(startDaemon("worker-" + i, List.of("org.apache.spark.deploy.worker.Worker",
            "--host", "127.0.0.1", "--port", Integer.toString(Processes.freePort()),
            "--webui-port", Integer.toString(Processes.freePort()),
            "--cores", Integer.toString(cores), "--memory", memory,
            "--work-dir", workDir.toString(), masterUrl())));
      }
      awaitCondition(workerCount + " workers to register with the master", deadline,
          List.copyOf(daemons), () -> aliveWorkerCount() == workerCount);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeSparkHome() throws IOException {
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    Files.createDirectories(sparkHome.resolve("conf"));
    Path bin = Files.createDirectories(sparkHome.resolve("bin"));
    String classpath = Files.readString(sparkClasspathFile(), StandardCharsets.UTF_8).trim();
    Set<String> names = new HashSet<>();
    int linked = 0;
    for (String entry : classpath.split(java.io.File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (entry.isBlank() || !entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
        continue;
      }
      String name = jar.getFileName().toString();
      if (!names.add(name)) {
        name = (linked) + "-" + name; // same file name from two groups: keep both
        names.add(name);
      }
      Files.createSymbolicLink(jars.resolve(name), jar.toAbsolutePath());
      linked++;
    }
    if (linked == 0) {
      throw new IllegalStateException("no jars listed in " + sparkClasspathFile());
    }
    Path submit = bin.resolve("spark-submit");
    Files.writeString(submit, SPARK_SUBMIT_SCRIPT, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * A distribution's bin/spark-submit, reduced to what spark-class does: Spark's launcher
   * library prints the driver command (NUL-separated, then its exit code), which is then run.
   */
  private static final String SPARK_SUBMIT_SCRIPT = """
      #!/usr/bin/env bash
      # Test stand-in for a Spark distribution's bin/spark-submit (written by StandaloneCluster):
      # Spark's launcher library builds the driver command exactly as bin/spark-class does.
      set -euo pipefail
      SPARK_HOME="$(cd "$(dirname "$0")/.." && pwd)"
      export SPARK_HOME SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.12}"
      RUNNER="${JAVA_HOME:+$JAVA_HOME/bin/java}"
      RUNNER="${RUNNER:-java}"
      # As in spark-class: messages, then a line holding only NUL (read as empty), then the
      # command NUL-separated, then the launcher's exit code.
      CMD=()
      DELIM=$'\\n'
      STARTED=false
      while IFS= read -d "$DELIM" -r ARG; do
        if [ "$STARTED" = true ]; then
          CMD+=("$ARG")
        elif [ -z "$ARG" ]; then
          DELIM=''
          STARTED=true
        else
          echo "$ARG"
        fi
      done < <(
        "$RUNNER" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \\
          org.apache.spark.deploy.SparkSubmit "$@"
        printf '%d\\0' $?)
      [ ${#CMD[@]} -gt 0 ] || { echo "spark-submit: Spark's launcher built no command" >&2; exit 1; }
      LAST=$((${#CMD[@]} - 1))
      [ "${CMD[$LAST]}" = 0 ] || exit "${CMD[$LAST]}"
      exec "${CMD[@]:0:$LAST}"
      """;

  private Process startDaemon(String name, List<String> mainAndArgs) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-Xmx512m");
    command.addAll(JvmFlags.list());
    command.add("-cp");
    command.add(sparkClasspath());
    command.addAll(mainAndArgs);
    Map<String, String> env = new LinkedHashMap<>(environment());
    // Executors must get OPENBLAS_NUM_THREADS from spark.executorEnv, as on a real cluster.
    env.put("OPENBLAS_NUM_THREADS", null);
    Process process = Processes.start(command, baseDir, env, logDir.resolve(name + ".log"));
    daemons.add(process);
    return process;
  }

  private String sparkClasspath() {
    return sparkHome.resolve("conf") + java.io.File.pathSeparator + sparkHome.resolve("jars") + "/*";
  }

  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private interface Check {
    boolean ok();
  }

  private static void awaitCondition(String what, long deadlineNanos, List<Process> mustLive,
      Check check) {
    while (true) {
      for (Process process : mustLive) {
        if (!process.isAlive()) {
          throw new IllegalStateException("a cluster JVM exited (code " + process.exitValue()
              + ") while waiting for " + what);
        }
      }
      if (check.ok()) {
        return;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      sleep(Duration.ofMillis(250));
    }
  }

  // --- The master's view --------------------------------------------------------------------

  /** The master's JSON state ({@code /json/}: workers, aliveworkers, activeapps, ...). */
  public JsonNode masterState() {
    JsonNode state = masterStateOrNull();
    if (state == null) {
      throw new IllegalStateException("the master at " + masterWebUiUrl() + " does not answer");
    }
    return state;
  }

  private JsonNode masterStateOrNull() {
    HttpRequest request = HttpRequest.newBuilder(URI.create(masterWebUiUrl() + "/json/"))
        .timeout(Duration.ofSeconds(5)).GET().build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? json.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Workers the master currently counts as ALIVE. */
  public int aliveWorkerCount() {
    JsonNode state = masterStateOrNull();
    if (state == null) {
      return 0;
    }
    int alive = 0;
    for (JsonNode worker : state.path("workers")) {
      if ("ALIVE".equals(worker.path("state").asText())) {
        alive++;
      }
    }
    return alive;
  }

  // --- Executors ----------------------------------------------------------------------------

  /** An executor JVM killed by {@link #killOneExecutor()}. */
  public record KilledExecutor(long pid, String executorId, String appId, String commandLine) {}

  /** The executor JVMs running now: children of this cluster's workers. */
  public List<ProcessHandle> executors() {
    List<ProcessHandle> found = new ArrayList<>();
    for (Process worker : List.copyOf(workers)) {
      worker.toHandle().descendants()
          .filter(ProcessHandle::isAlive)
          .filter(handle -> Processes.commandLine(handle).contains(EXECUTOR_MAIN))
          .forEach(found::add);
    }
    return found;
  }

  /** Waits until at least {@code count} executor JVMs run; returns them. */
  public List<ProcessHandle> awaitExecutors(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ProcessHandle> running = executors();
      if (running.size() >= count) {
        return running;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + count + " executor JVMs within " + timeout
            + ", found " + running.size() + "\n" + diagnostics());
      }
      sleep(Duration.ofMillis(200));
    }
  }

  /**
   * SIGKILLs one running executor JVM (waiting up to 60 s for one to exist) and waits until it
   * is gone. The worker will start a replacement for the still-running application.
   */
  public KilledExecutor killOneExecutor() {
    return killExecutor(awaitExecutors(1, Duration.ofSeconds(60)).get(0));
  }

  /** SIGKILLs the given executor JVM and waits until it is gone. */
  public KilledExecutor killExecutor(ProcessHandle executor) {
    String commandLine = Processes.commandLine(executor);
    if (!commandLine.contains(EXECUTOR_MAIN)) {
      throw new IllegalArgumentException("pid " + executor.pid() + " is not an executor: " + commandLine);
    }
    executor.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, like a crashed machine
    try {
      executor.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("executor pid " + executor.pid() + " survived SIGKILL for " + KILL_WAIT, e);
    }
    return new KilledExecutor(executor.pid(), group(EXECUTOR_ID, commandLine),
        group(APP_ID, commandLine), commandLine);
  }

  private static String group(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    return matcher.find() ? matcher.group(1) : "";
  }

  /** stderr files of every executor this cluster has run (work/worker-N/app-.../ID/stderr). */
  public List<Path> executorLogs() {
    try (Stream<Path> files = Files.walk(baseDir.resolve("work"))) {
      return files.filter(path -> path.getFileName().toString().equals("stderr")).sorted()
          .collect(Collectors.toList());
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  // --- Submitting ---------------------------------------------------------------------------

  /**
   * Starts {@code org.apache.spark.deploy.SparkSubmit --master <this> --deploy-mode client} as a
   * separate JVM with the JDK flags, returning at once. Output goes to
   * {@code logs/<name>-<n>.log}. Unless the submission sets them, executors get the JVM flags in
   * {@code spark.executor.extraJavaOptions} and {@code OPENBLAS_NUM_THREADS=1}.
   */
  public Driver submit(Submission submission) {
    if (closed) {
      throw new IllegalStateException("the cluster is closed");
    }
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.executor.extraJavaOptions", String.join(" ", JvmFlags.list()));
    conf.put("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
    conf.putAll(submission.conf());

    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.add("-Xmx" + submission.driverMemory());
    command.addAll(JvmFlags.list());
    command.add("-cp");
    command.add(sparkClasspath());
    command.add("org.apache.spark.deploy.SparkSubmit");
    command.addAll(List.of("--master", masterUrl(), "--deploy-mode", "client",
        "--class", submission.mainClass(), "--name", submission.name()));
    conf.forEach((key, value) -> command.addAll(List.of("--conf", key + "=" + value)));
    if (!submission.jars().isEmpty()) {
      command.add("--jars");
      command.add(submission.jars().stream().map(Path::toString).collect(Collectors.joining(",")));
    }
    command.add(submission.appJar().toString());
    command.addAll(submission.args());

    Path output = logDir.resolve(submission.name() + "-" + submissions.incrementAndGet() + ".log");
    Map<String, String> env = new LinkedHashMap<>(environment());
    env.put("OPENBLAS_NUM_THREADS", "1");
    return startDriver(command, env, output, submission.timeout());
  }

  /** Submits and waits for the driver to exit (bounded by the submission's timeout). */
  public Driver run(Submission submission) {
    Driver driver = submit(submission);
    driver.awaitExit();
    return driver;
  }

  /**
   * Runs an arbitrary driver-side command (e.g. {@code submit/spindle --master <this> ...}) as a
   * tracked process of this cluster, so that {@link #close()} kills it too.
   */
  public Driver startDriver(List<String> command, Map<String, String> env, Path output,
      Duration timeout) {
    try {
      Process process = Processes.start(command, projectDir(), env, output);
      drivers.add(process);
      return new Driver(process, output, timeout, command, this::diagnostics);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  // --- Diagnostics and cleanup --------------------------------------------------------------

  /** Ends of the master, worker and executor logs, for assertion messages. */
  public String diagnostics() {
    StringBuilder text = new StringBuilder("cluster folder: " + baseDir + "\n");
    try (Stream<Path> logs = Files.list(logDir)) {
      logs.filter(path -> path.getFileName().toString().matches("(master|worker-\\d+)\\.log"))
          .sorted().forEach(log -> text.append(Processes.tail(log, 15)).append('\n'));
    } catch (IOException e) {
      text.append("(cannot list ").append(logDir).append(")\n");
    }
    for (Path log : executorLogs()) {
      text.append(Processes.tail(log, 10)).append('\n');
    }
    return text.toString();
  }

  /**
   * SIGKILLs every process this cluster started (drivers, executors, workers, master, and any
   * stray executor that still names this cluster's SPARK_HOME) and waits for them. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    killEverything();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook is running or has run.
    }
  }

  private void killEverything() {
    List<ProcessHandle> targets = new ArrayList<>();
    for (Process process : concat(List.copyOf(drivers), List.copyOf(daemons))) {
      targets.addAll(process.toHandle().descendants().toList());
      targets.add(process.toHandle());
    }
    // Executors orphaned by an earlier-dead worker no longer descend from it; find them by
    // this cluster's SPARK_HOME, which is on their classpath.
    String home = sparkHome.toString();
    ProcessHandle.allProcesses()
        .filter(handle -> handle.pid() != ProcessHandle.current().pid())
        .filter(handle -> Processes.commandLine(handle).contains(home))
        .forEach(targets::add);
    Processes.killAll(targets, KILL_WAIT);
    List<Long> survivors = targets.stream().filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid).distinct().toList();
    if (!survivors.isEmpty()) {
      System.err.println("StandaloneCluster: processes still alive after SIGKILL: " + survivors);
    }
  }

  private static List<Process> concat(List<Process> first, List<Process> second) {
    List<Process> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
