package io.spindle.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.LoggerFactory;

/**
 * Best-effort removal of a run's {@link ExecutorCache} state at the end of training: a small
 * job with a few tasks per core, which reaches every live executor in practice. State an
 * executor misses is small (epoch orders, one network's buffers per task slot) and is evicted
 * once idle for 30 minutes.
 */
final class ExecutorCleanup {

  private ExecutorCleanup() {}

  static void run(JavaSparkContext sc, String runId) {
    int tasks = Math.max(1, sc.defaultParallelism() * 2);
    List<Integer> slots = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      slots.add(i);
    }
    String previous = sc.getLocalProperty("spark.job.description");
    sc.setJobDescription("spindle: release executor caches");
    try {
      sc.parallelize(slots, tasks).foreach(i -> ExecutorCache.remove(runId));
    } catch (RuntimeException e) {
      // Training already finished; leftovers are evicted when idle. Do not mask the result.
      LoggerFactory.getLogger(ExecutorCleanup.class)
          .warn("could not release executor caches of {}: {}", runId, e.toString());
    } finally {
      sc.setJobDescription(previous);
    }
  }
}
