package io.spindle.spark;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkLayout;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.PartitionWorker;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.RDDInfo;

/**
 * What every Spark transport of one training run shares: the cached chunk RDD and its layout
 * ({@link TrainingBlocks}), the batch schedule over its shards (chunk sizes counted once, which
 * also materializes the cache), where each shard's chunks are cached, the run's broadcast
 * {@link RunSetup}, and the id of the executors' cached state. Closing it destroys the setup
 * broadcast and drops that state.
 */
final class TrainingRun implements AutoCloseable {

  final JavaSparkContext sc;
  final NetworkSpec spec;
  final JavaRDD<ExampleBlock> chunks;
  final ChunkLayout layout;
  final BatchSchedule schedule;
  final String runId;
  final Broadcast<ClosureSerialized<RunSetup>> setup;
  private boolean closed;

  /** Over one block per partition, each partition a shard of one chunk. */
  TrainingRun(JavaSparkContext sc, NetworkSpec spec, JavaRDD<ExampleBlock> blocks,
      int batchSize, boolean shuffle, long seed) {
    this(sc, spec, TrainingBlocks.onePerPartition(blocks), batchSize, 1, shuffle, seed);
  }

  TrainingRun(JavaSparkContext sc, NetworkSpec spec, TrainingBlocks blocks, int batchSize,
      int window, boolean shuffle, long seed) {
    this.sc = sc;
    this.spec = spec;
    this.chunks = blocks.chunks();
    String callerDescription = sc.getLocalProperty("spark.job.description");
    long[] sizes;
    try {
      sc.setJobDescription("spindle: cache training data, count examples per chunk");
      sizes = BlockRdds.partitionSizes(chunks);
      if (!BlockRdds.isPacked(sizes)) {
        throw new IllegalArgumentException("the training RDD has partitions with several blocks;"
            + " pack them with BlockRdds.pack(rdd, level) first (one block per partition)");
      }
      sc.setJobDescription("spindle: check the training data against the network");
      List<ExampleBlock> first = chunks.take(1);
      if (!first.isEmpty()) {
        PartitionWorker.checkCompatible(spec, first.get(0));
      }
    } finally {
      sc.setJobDescription(callerDescription);
    }
    this.layout = new ChunkLayout(sizes, blocks.shardStart());
    this.schedule = new BatchSchedule(layout.shardSizes(), batchSize);
    this.runId = "spindle-" + UUID.randomUUID();
    RDD<ExampleBlock> rdd = chunks.rdd();
    this.setup = sc.broadcast(ClosureSerialized.of(new RunSetup(runId, spec, schedule, layout,
        window, shuffle, seed, rdd, rdd.partitions())));
  }

  /** The schedule's partitions: shards of chunks. */
  int partitions() {
    return schedule.partitions();
  }

  /**
   * Where shard {@code shard}'s chunks are cached (executor locations, as {@code makeRDD}
   * takes them), read after the cache was materialized.
   */
  List<String> shardLocations(int shard) {
    Set<String> locs = new LinkedHashSet<>();
    for (int c = layout.firstChunk(shard); c < layout.firstChunk(shard) + layout.chunkCount(shard);
        c++) {
      locs.addAll(SparkInternals.preferredLocations(sc.sc(), chunks.rdd(), c));
    }
    return new ArrayList<>(locs);
  }

  /** The chunks' storage now: bytes in memory and on disk over all executors. */
  io.spindle.train.DataResidency residency(long diskBytesRead) {
    long memory = 0;
    long disk = 0;
    int cached = 0;
    for (RDDInfo info : sc.sc().getRDDStorageInfo()) {
      if (info.id() == chunks.id()) {
        memory += info.memSize();
        disk += info.diskSize();
        cached += info.numCachedPartitions();
      }
    }
    return new io.spindle.train.DataResidency(layout.chunks(), cached, memory, disk,
        diskBytesRead);
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
