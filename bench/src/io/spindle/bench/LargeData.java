package io.spindle.bench;

import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkLayout;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Adam;
import io.spindle.optim.LearningRateSchedule;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.DistributedBlocks;
import io.spindle.spark.DistributedTrainer;
import io.spindle.spark.TrainingBlocks;
import io.spindle.train.DataResidency;
import io.spindle.train.EpochSummary;
import io.spindle.train.Metrics;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;

/**
 * A training set larger than storage memory: MNIST expanded {@code factor} times with random
 * shifts of up to 2 pixels, generated on the executors in chunks of about 4 MiB
 * (deterministically per chunk, so a lost chunk is regenerated identically), persisted
 * MEMORY_AND_DISK as the trainer's {@link TrainingBlocks}, trained for one epoch. Reports where
 * Spark kept the chunks (memory vs disk), the bytes read back from disk in the epoch, and the
 * JVM's peak heap.
 *
 * <p>Args: network, master, factor, partitions (shards of chunks), global batch. With
 * {@code -Dspindle.bench.oversubscription=K}, Spark's memory ({@code spark.memory.fraction}) is
 * set to hold 1/K of the training set (K = 0: Spark's default, the in-memory baseline when the
 * heap is large enough).
 */
public final class LargeData {

  /** About one chunk per 4 MiB, as the trainer's default ({@code spark.chunk-mib}). */
  static final long CHUNK_BYTES = ChunkLayout.DEFAULT_CHUNK_BYTES;

  public static void main(String[] args) {
    String net = args.length > 0 ? args[0] : "lenet5";
    String master = args.length > 1 ? args[1] : "local[2]";
    int factor = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int batch = args.length > 4 ? Integer.parseInt(args[4]) : 512;
    NetworkSpec spec = BenchSupport.network(net);
    BenchSupport.header(String.format(Locale.ROOT, "Large data: MNIST x %d with random shifts,"
        + " %s (%d parameters), %s, %d partitions, global batch %d, MEMORY_AND_DISK", factor, net,
        spec.paramCount(), master, partitions, batch));
    ExampleBlock base = BenchSupport.train(Integer.MAX_VALUE).block();
    ExampleBlock test = BenchSupport.test().block();
    long total = (long) factor * base.count();
    System.out.printf(Locale.ROOT, "training set: %,d images, %,.0f MiB packed (uint8)%n", total,
        total * (base.featureSize() + 4.0) / (1 << 20));

    double oversubscription = Double.parseDouble(System.getProperty(
        "spindle.bench.oversubscription", "0"));
    long dataBytes = total * (base.featureSize() + 4L);
    String fraction = "0.6";
    if (oversubscription > 0) {
      // Spark's unified memory = (heap - 300 MiB reserved) x spark.memory.fraction.
      double usable = Runtime.getRuntime().maxMemory() - (300L << 20);
      fraction = String.format(Locale.ROOT, "%.5f", dataBytes / oversubscription / usable);
    }
    int chunks = (int) Math.max(partitions, (dataBytes + CHUNK_BYTES - 1) / CHUNK_BYTES);
    try (JavaSparkContext sc = BenchSupport.spark(master, "spindle-large-data",
            "spark.memory.fraction", fraction);
        DistributedBlocks testBlocks = BlockRdds.distribute(sc, test, 2,
            StorageLevel.MEMORY_AND_DISK())) {
      long sparkMemory = sc.sc().env().memoryManager().maxOnHeapStorageMemory();
      System.out.printf(Locale.ROOT, "Spark unified memory (execution + storage): %,d MiB"
          + " (spark.memory.fraction %s); training set %,d MiB in %d chunks: %.1fx Spark's"
          + " memory%n", sparkMemory >> 20, fraction, dataBytes >> 20, chunks,
          (double) dataBytes / sparkMemory);
      Broadcast<ExampleBlock> baseBc = sc.broadcast(base);
      List<Integer> ids = new ArrayList<>();
      for (int c = 0; c < chunks; c++) {
        ids.add(c);
      }
      // MNIST's training order is already random, and every chunk a contiguous run of it, so
      // the chunks are random samples without a mixing pass.
      JavaRDD<ExampleBlock> big = sc.parallelize(ids, chunks)
          .map(c -> shifted(baseBc.value(), c, chunks, total, 42L))
          .setName("MNIST x" + factor + " shifted").persist(StorageLevel.MEMORY_AND_DISK());
      DataResidency[] lastEpoch = new DataResidency[1];
      long[] heapAfterGc = new long[2];
      TrainingListener storageProbe = new TrainingListener() {
        @Override
        public void onIteration(TrainingContext ctx, Metrics batch) {
          if (ctx.iteration() == 0) {
            printStorage(sc, "after the first iteration");
          }
          if (ctx.iteration() == 10) {
            heapAfterGc[0] = heapAfterLastGc();
          }
          if (ctx.step() == ctx.stepsPerEpoch() - 1) { // before validation adds its own buffers
            heapAfterGc[1] = heapAfterLastGc();
          }
        }

        @Override
        public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
          printStorage(sc, "at the end of the epoch");
          lastEpoch[0] = ctx.dataResidency();
        }
      };
      TrainingOptions options = TrainingOptions.builder().epochs(1).batchSize(batch).seed(1)
          .logEvery(Math.max(1, (int) (total / batch / 20))).listener(storageProbe).build();
      TrainingResult r = new DistributedTrainer(sc, spec,
          Adam.adam(LearningRateSchedule.constant(1e-3), 0.9, 0.999, 1e-8, 0, spec.paramCount()),
          options).fit(new TrainingBlocks(big, ChunkLayout.evenShards(chunks, partitions)),
              testBlocks.rdd(), spec.initParams(1));
      EpochSummary last = r.lastEpoch();
      DataResidency d = lastEpoch[0];
      System.out.printf(Locale.ROOT, "%nRESULT one epoch over %,d images: no OutOfMemoryError;"
              + " test accuracy %.2f%%, %d iterations, %.0f s training (%.0f images/s), %.0f s"
              + " total; data %.2fx Spark's memory: %,d MiB on disk, %,d MiB read from disk"
              + " (%.2fx the spilled size)%n", r.examples(), 100 * last.testAccuracy(),
          r.iterations(), r.trainSeconds(), r.imagesPerSecond(), r.elapsedSeconds(),
          (double) dataBytes / sparkMemory, d.diskBytes() >> 20, d.diskBytesRead() >> 20,
          d.diskBytes() == 0 ? 0.0 : (double) d.diskBytesRead() / d.diskBytes());
      System.out.printf(Locale.ROOT, "heap after the last GC: %,d MiB at iteration 10, %,d MiB"
          + " at the end of the epoch (live after a full collection, at the epoch's last"
          + " iteration)%n", heapAfterGc[0] >> 20, heapAfterGc[1] >> 20);
      big.unpersist(true);
      baseBc.destroy();
    }
    printMemory();
  }

  /**
   * Chunk p of the expanded set: images [p total / parts, (p + 1) total / parts), image i
   * being base image i mod n shifted by a random (dx, dy) in [-2, 2]^2 (zero fill), from a seed
   * per chunk, so recomputing a chunk gives the same block.
   */
  static ExampleBlock shifted(ExampleBlock base, int p, int parts, long total, long seed) {
    int from = (int) (total * p / parts);
    int to = (int) (total * (p + 1) / parts);
    int n = to - from;
    int side = 28;
    int size = side * side;
    byte[] pixels = new byte[n * size];
    float[] labels = new float[n];
    float[] x = new float[size];
    float[] y = new float[1];
    SplittableRandom rng = new SplittableRandom(BatchSchedule.mix(seed, p, 7));
    for (int j = 0; j < n; j++) {
      base.gatherRange((from + j) % base.count(), 1, x, y);
      labels[j] = y[0];
      int dx = rng.nextInt(5) - 2;
      int dy = rng.nextInt(5) - 2;
      int out = j * size;
      for (int r = 0; r < side; r++) {
        int sr = r - dy;
        if (sr < 0 || sr >= side) {
          continue;
        }
        for (int c = 0; c < side; c++) {
          int sc = c - dx;
          if (sc >= 0 && sc < side) {
            pixels[out + r * side + c] = (byte) Math.round(x[sr * side + sc] * 255f);
          }
        }
      }
    }
    return ExampleBlock.ofBytes(pixels, 1f / 255, labels, n, size, 1);
  }

  static void printStorage(JavaSparkContext sc, String when) {
    for (RDDInfo info : sc.sc().getRDDStorageInfo()) {
      if (info.name() != null && info.name().startsWith("MNIST x")) {
        System.out.printf(Locale.ROOT, "storage %s: %s: %d/%d partitions cached, %,d MiB in"
                + " memory, %,d MiB on disk%n", when, info.name(), info.numCachedPartitions(),
            info.numPartitions(), info.memSize() >> 20, info.diskSize() >> 20);
      }
    }
  }

  /** Heap in use right after a full collection: what stays live (a bench may force one). */
  static long heapAfterLastGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static void printMemory() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    long gcMs = 0;
    long gcs = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMs += gc.getCollectionTime();
      gcs += gc.getCollectionCount();
    }
    System.out.printf(Locale.ROOT, "JVM heap: max %,d MiB, sum of pools' peaks %,d MiB;"
            + " %d collections, %.1f s in GC%n", Runtime.getRuntime().maxMemory() >> 20,
        peak >> 20, gcs, gcMs / 1000.0);
  }
}
