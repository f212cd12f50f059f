package io.spindle.spark;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkLayout;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import java.io.Serializable;
import org.apache.spark.Partition;
import org.apache.spark.rdd.RDD;

/**
 * What every task of one training run needs besides the weights: broadcast once per run, so
 * the network spec, schedule and the chunk RDD (whose blocks tasks read by chunk number) are
 * not serialized into every job's closure. Evaluation uses only the id and the spec.
 *
 * @param chunkPartitions the chunk RDD's partitions, taken on the driver (an RDD deserialized on
 *     an executor has lost them)
 */
record RunSetup(String runId, NetworkSpec spec, BatchSchedule schedule, ChunkLayout layout,
    int window, boolean shuffle, long seed, RDD<ExampleBlock> chunks,
    Partition[] chunkPartitions) implements Serializable {

  /** The setup of a pass that only needs the network (evaluation, prediction). */
  static RunSetup networkOnly(String runId, NetworkSpec spec) {
    return new RunSetup(runId, spec, null, null, 1, false, 0L, null, null);
  }
}
