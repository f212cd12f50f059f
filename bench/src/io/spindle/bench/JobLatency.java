package io.spindle.bench;

import io.spindle.data.ExampleBlock;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.DistributedBlocks;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * Latency of one job over the cached blocks returning a gradient-sized vector per partition,
 * by API: mapPartitions + reduce (closures cleaned every job) versus SparkContext.runJob with a
 * named function class and a driver-side result handler. Interleaved; medians.
 */
public final class JobLatency {

  static final class MakeVector extends AbstractFunction2<TaskContext, scala.collection.Iterator<ExampleBlock>,
      float[]> implements Serializable {
    private static final long serialVersionUID = 1L;
    final int floats;

    MakeVector(int floats) {
      this.floats = floats;
    }

    @Override
    public float[] apply(TaskContext ctx, scala.collection.Iterator<ExampleBlock> it) {
      return new float[floats];
    }
  }

  static final class Sum extends AbstractFunction2<Object, float[], BoxedUnit>
      implements Serializable {
    float[] total;

    @Override
    public BoxedUnit apply(Object index, float[] part) {
      if (total == null) {
        total = part;
      } else {
        OverheadParts.add(total, part);
      }
      return BoxedUnit.UNIT;
    }
  }

  public static void main(String[] args) {
    String master = args.length > 0 ? args[0] : "local[2]";
    int floats = args.length > 1 ? Integer.parseInt(args[1]) : 61706;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    BenchSupport.header("Job latency by API: " + master + ", " + floats + " floats");
    ExampleBlock train = BenchSupport.train(Integer.MAX_VALUE).block();
    try (JavaSparkContext sc = BenchSupport.spark(master, "spindle-job-latency");
        DistributedBlocks data = BlockRdds.distribute(sc, train, sc.defaultParallelism(),
            StorageLevel.MEMORY_AND_DISK())) {
      JavaRDD<ExampleBlock> rdd = data.rdd();
      rdd.count();
      double[] viaReduce = new double[reps];
      double[] viaRunJob = new double[reps];
      scala.collection.Seq<Object> all = scala.collection.JavaConverters
          .asScalaBuffer(java.util.stream.IntStream.range(0, rdd.getNumPartitions()).boxed()
              .map(i -> (Object) i).toList()).toSeq();
      for (int r = 0; r < reps; r++) {
        long t0 = System.nanoTime();
        float[] a = rdd.mapPartitions((Iterator<ExampleBlock> it) ->
            List.of(new float[floats]).iterator()).reduce(OverheadParts::add);
        long t1 = System.nanoTime();
        Sum sum = new Sum();
        sc.sc().runJob(rdd.rdd(), new MakeVector(floats), (scala.collection.Seq) all, sum,
            (scala.reflect.ClassTag<float[]>) (Object) ClassTag$.MODULE$.apply(float[].class));
        long t2 = System.nanoTime();
        if (a.length != sum.total.length) {
          throw new IllegalStateException();
        }
        viaReduce[r] = (t1 - t0) / 1e6;
        viaRunJob[r] = (t2 - t1) / 1e6;
      }
      System.out.printf(Locale.ROOT, "median ms: mapPartitions+reduce %.1f, runJob %.1f%n",
          SparkOverhead.median(viaReduce), SparkOverhead.median(viaRunJob));
    }
  }
}
