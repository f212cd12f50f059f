package io.spindle.spark;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;

/**
 * The messages of the barrier stage's per-iteration exchange ({@link IterationExchange}). They
 * travel through Spark's RPC environment, which always uses Java serialization (whatever
 * {@code spark.serializer} says), and in local mode are passed by reference.
 */
final class BarrierMessages {

  private BarrierMessages() {}

  /**
   * Task to driver: a task's partials of {@code iteration} (none when it is -1, the task's first
   * call), and a request for the next work. A partition range that covers a whole group of the
   * reduction's first level sends the group's sum; other partitions go one by one.
   *
   * @param stage the driver's stage sequence number, so late messages of an earlier stage are
   *     told to stop
   * @param attempt the stage attempt, so tasks of a failed attempt are told to stop
   * @param computeNanos the task's time on this iteration, from receiving the work to sending
   *     the partials (what a per-job task's run time measures)
   */
  record Ready(int stage, int slot, int attempt, long iteration, int[] groupIds,
      GradientPartial[] groupSums, int[] partitionIds, GradientPartial[] partitionPartials,
      long computeNanos) implements Serializable {

    static Ready first(int stage, int slot, int attempt) {
      return new Ready(stage, slot, attempt, -1, new int[0], new GradientPartial[0], new int[0],
          new GradientPartial[0], 0);
    }
  }

  /**
   * Driver to task: compute iteration {@code iteration} with these weights: inline (local mode
   * and small models; one copy per task) or as a broadcast handle (large models on a cluster;
   * executors fetch the value peer to peer, as the per-job path's broadcast does).
   */
  record Work(long iteration, int epoch, int step, float[] inline, Broadcast<float[]> broadcast)
      implements Serializable {

    float[] weights() {
      return inline != null ? inline : broadcast.value();
    }
  }

  /** Driver to task: the stage is over (its last iteration is done, training stopped, or the
   * message came from a failed attempt or an earlier stage). */
  static final class Stop implements Serializable {
    private static final long serialVersionUID = 1L;
    static final Stop INSTANCE = new Stop();

    private Object readResolve() {
      return INSTANCE;
    }
  }
}
