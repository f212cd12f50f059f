package io.spindle.bench;

import io.spindle.data.ExampleBlock;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.DistributedBlocks;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The pieces of one iteration's Spark cost, each timed alone (medians): an empty job over the
 * cached blocks, a broadcast of the weights plus its destruction, a job returning a gradient
 * sized vector per partition through treeReduce. Args: master, floats, repetitions.
 */
public final class OverheadParts {

  public static void main(String[] args) {
    String master = args.length > 0 ? args[0] : "local[2]";
    int floats = args.length > 1 ? Integer.parseInt(args[1]) : 61706;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    BenchSupport.header("Spark cost per iteration, by part: " + master + ", " + floats
        + " floats");
    ExampleBlock train = BenchSupport.train(Integer.MAX_VALUE).block();
    try (JavaSparkContext sc = BenchSupport.spark(master, "spindle-overhead-parts");
        DistributedBlocks data = BlockRdds.distribute(sc, train, sc.defaultParallelism(),
            StorageLevel.MEMORY_AND_DISK())) {
      JavaRDD<ExampleBlock> rdd = data.rdd();
      rdd.count();
      float[] w = new float[floats];
      double[] empty = new double[reps];
      double[] bcast = new double[reps];
      double[] reduce = new double[reps];
      double[] all = new double[reps];
      double[] tiny = new double[reps];
      double[] collect = new double[reps];
      double[] plainReduce = new double[reps];
      for (int r = 0; r < reps; r++) {
        long t0 = System.nanoTime();
        rdd.foreachPartition(it -> { });
        long t1 = System.nanoTime();
        Broadcast<float[]> b = sc.broadcast(w);
        b.destroy();
        long t2 = System.nanoTime();
        float[] sum = rdd.mapPartitions((Iterator<ExampleBlock> it) ->
            List.of(new float[floats]).iterator()).treeReduce(OverheadParts::add, 2);
        long t3 = System.nanoTime();
        Broadcast<float[]> b2 = sc.broadcast(w);
        float[] sum2 = rdd.mapPartitions((Iterator<ExampleBlock> it) -> {
          float[] v = b2.value();
          return List.of(new float[v.length]).iterator();
        }).treeReduce(OverheadParts::add, 2);
        b2.destroy();
        long t4 = System.nanoTime();
        float[] small = rdd.mapPartitions((Iterator<ExampleBlock> it) ->
            List.of(new float[1]).iterator()).treeReduce(OverheadParts::add, 2);
        long t5 = System.nanoTime();
        List<float[]> parts = rdd.mapPartitions((Iterator<ExampleBlock> it) ->
            List.of(new float[floats]).iterator()).collect();
        long t6 = System.nanoTime();
        float[] red = rdd.mapPartitions((Iterator<ExampleBlock> it) ->
            List.of(new float[floats]).iterator()).reduce(OverheadParts::add);
        plainReduce[r] = (System.nanoTime() - t6) / 1e6;
        tiny[r] = (t5 - t4) / 1e6;
        collect[r] = (t6 - t5) / 1e6;
        if (small.length != 1 || parts.isEmpty()) {
          throw new IllegalStateException();
        }
        empty[r] = (t1 - t0) / 1e6;
        bcast[r] = (t2 - t1) / 1e6;
        reduce[r] = (t3 - t2) / 1e6;
        all[r] = (t4 - t3) / 1e6;
        if (sum.length + sum2.length != 2 * floats) {
          throw new IllegalStateException();
        }
      }
      System.out.printf(Locale.ROOT, "median ms: empty job %.1f, broadcast+destroy %.1f,"
          + " job with treeReduce of the vector %.1f, broadcast+job+reduce+destroy %.1f%n",
          SparkOverhead.median(empty), SparkOverhead.median(bcast), SparkOverhead.median(reduce),
          SparkOverhead.median(all));
      System.out.printf(Locale.ROOT, "median ms: treeReduce of 1 float %.1f, collect of the"
          + " vectors %.1f, reduce of the vectors %.1f%n", SparkOverhead.median(tiny),
          SparkOverhead.median(collect), SparkOverhead.median(plainReduce));
      System.out.println("load average: " + Arrays.toString(
          new double[] {java.lang.management.ManagementFactory.getOperatingSystemMXBean()
              .getSystemLoadAverage()}));
    }
  }

  static float[] add(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i] += b[i];
    }
    return a;
  }
}
