/**
 * Tests against a real Spark standalone cluster (separate JVMs on 127.0.0.1), run by failsafe in
 * {@code mvn verify} after the application jar is packaged ({@code *IT} classes).
 *
 * <ul>
 *   <li>{@link io.spindle.cluster.StandaloneCluster}: master + N workers from the Maven classpath;
 *       {@code masterUrl()}, {@code workerCount()}, {@code awaitExecutors(n, timeout)},
 *       {@code killOneExecutor()} (SIGKILL), {@code submit(Submission)}, {@code sparkHome()}
 *       (a usable SPARK_HOME for submit/spindle), {@code diagnostics()}; {@code close()} kills
 *       every process it started.</li>
 *   <li>{@link io.spindle.cluster.Submission}: what SparkSubmit gets ({@code spindleCli(args)} for
 *       the real CLI); {@link io.spindle.cluster.Driver}: the running driver ({@code awaitExit()},
 *       {@code awaitOutput(text, timeout)}, {@code kill()}, {@code output()}).</li>
 *   <li>{@code jobs.ClusterProbeJob}: a small job reporting where tasks ran and how their JVMs
 *       were started; it proves the harness and the launcher without the CLI.</li>
 * </ul>
 */
package io.spindle.cluster;
