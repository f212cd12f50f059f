package io.spindle.spark;

import io.spindle.nn.NetworkSpec;
import io.spindle.train.GradientStep;
import io.spindle.train.PartitionWorker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Executor-local state kept across the iterations of a run (one static map per executor JVM):
 * a {@link PartitionWorker} per partition (its epoch order) and a pool of
 * {@link GradientStep}s, one per concurrently running task, so network buffers are allocated
 * once per task slot rather than once per job or per partition.
 *
 * <p>The workers hold references to the chunks of their current window (a few MiB each, so a
 * chunk is decoded once per epoch, not once per iteration), and chunks read ahead wait in
 * {@code readAhead}; everything else stays with Spark's block manager, free to be spilled. Everything can be rebuilt from the run's broadcast
 * {@link RunSetup} and the partition's block, which is what happens on a replacement executor
 * or when a partition moves: epoch orders are deterministic, so results do not change.
 */
final class ExecutorCache {

  /** Runs not touched for this long are dropped when another run looks up its state. */
  private static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(30);

  private static final Map<String, RunState> RUNS = new ConcurrentHashMap<>();

  private ExecutorCache() {}

  static RunState state(String runId, NetworkSpec spec) {
    RunState s = RUNS.get(runId);
    if (s == null) {
      evictIdle();
      s = RUNS.computeIfAbsent(runId, id -> new RunState(spec));
    }
    s.lastUsed = System.nanoTime();
    return s;
  }

  /** Drops a run's state on this executor (end of training, or a test simulating loss). */
  static void remove(String runId) {
    RUNS.remove(runId);
  }

  /** Drops everything on this executor (tests simulate a lost executor with it). */
  static void clear() {
    RUNS.clear();
  }

  static int size() {
    return RUNS.size();
  }

  private static void evictIdle() {
    long now = System.nanoTime();
    RUNS.values().removeIf(s -> now - s.lastUsed > IDLE_NANOS);
  }

  static final class RunState {
    private final NetworkSpec spec;
    private final Map<Integer, PartitionWorker> workers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<GradientStep> steps = new ConcurrentLinkedQueue<>();
    volatile long lastUsed = System.nanoTime();

    RunState(NetworkSpec spec) {
      this.spec = spec;
    }

    PartitionWorker worker(int shard, RunSetup run) {
      return workers.computeIfAbsent(shard, p -> new PartitionWorker(p, run.schedule(),
          run.layout(), run.window(), run.shuffle(), run.seed()));
    }

    /** Chunks being read ahead on this executor, by chunk number (taken when used). */
    final Map<Integer, java.util.concurrent.Future<SparkInternals.CachedRead>> readAhead =
        new ConcurrentHashMap<>();

    /** A step for the calling task; give it back when the task's computation is done. */
    GradientStep borrow() {
      GradientStep s = steps.poll();
      return s != null ? s : new GradientStep(spec);
    }

    void giveBack(GradientStep step) {
      steps.offer(step);
    }
  }
}
