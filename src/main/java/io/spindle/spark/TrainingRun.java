package io.spindle.spark;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.PartitionWorker;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * What every Spark transport of one training run shares: the cached block RDD, its batch
 * schedule (partition sizes counted once, which also materializes the cache), the run's
 * broadcast {@link RunSetup}, and the id of the executors' cached state. Closing it destroys
 * the setup broadcast and drops that state.
 */
final class TrainingRun implements AutoCloseable {

  final JavaSparkContext sc;
  final NetworkSpec spec;
  final JavaRDD<ExampleBlock> blocks;
  final BatchSchedule schedule;
  final String runId;
  final Broadcast<ClosureSerialized<RunSetup>> setup;
  private boolean closed;

  TrainingRun(JavaSparkContext sc, NetworkSpec spec, JavaRDD<ExampleBlock> blocks,
      int batchSize, boolean shuffle, long seed) {
    this.sc = sc;
    this.spec = spec;
    this.blocks = blocks;
    String callerDescription = sc.getLocalProperty("spark.job.description");
    long[] sizes;
    try {
      sc.setJobDescription("spindle: cache training data, count examples per partition");
      sizes = BlockRdds.partitionSizes(blocks);
      if (!BlockRdds.isPacked(sizes)) {
        throw new IllegalArgumentException("the training RDD has partitions with several blocks;"
            + " pack them with BlockRdds.pack(rdd, level) first (one block per partition)");
      }
      sc.setJobDescription("spindle: check the training data against the network");
      List<ExampleBlock> first = blocks.take(1);
      if (!first.isEmpty()) {
        PartitionWorker.checkCompatible(spec, first.get(0));
      }
    } finally {
      sc.setJobDescription(callerDescription);
    }
    this.schedule = new BatchSchedule(sizes, batchSize);
    this.runId = "spindle-" + UUID.randomUUID();
    this.setup = sc.broadcast(ClosureSerialized.of(new RunSetup(runId, spec, schedule, shuffle,
        seed)));
  }

  int partitions() {
    return schedule.partitions();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    setup.destroy();
    ExecutorCleanup.run(sc, runId);
  }
}
