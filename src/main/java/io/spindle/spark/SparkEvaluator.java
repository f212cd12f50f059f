package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.Evaluator;
import io.spindle.train.GradientStep;
import io.spindle.train.LocalEvaluator;
import io.spindle.train.Metrics;
import io.spindle.train.PartitionWorker;
import io.spindle.train.Progress;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * Loss and accuracy over a cached RDD of blocks (the test set), computed on the executors:
 * one job per evaluation, weights broadcast and destroyed afterwards, metrics summed by
 * {@code treeReduce}. Partitions may hold several blocks.
 */
public final class SparkEvaluator implements Evaluator {

  private final JavaSparkContext sc;
  private final JavaRDD<ExampleBlock> blocks;
  private final Broadcast<ClosureSerialized<RunSetup>> setup;
  private final String runId;
  private boolean closed;

  public SparkEvaluator(JavaSparkContext sc, NetworkSpec spec, JavaRDD<ExampleBlock> blocks) {
    this.sc = sc;
    this.blocks = blocks;
    String previous = sc.getLocalProperty("spark.job.description");
    try {
      sc.setJobDescription("spindle: check the validation data against the network");
      List<ExampleBlock> first = blocks.take(1);
      if (!first.isEmpty()) {
        PartitionWorker.checkCompatible(spec, first.get(0));
      }
    } finally {
      sc.setJobDescription(previous);
    }
    this.runId = "spindle-eval-" + UUID.randomUUID();
    this.setup = sc.broadcast(ClosureSerialized.of(RunSetup.networkOnly(runId, spec)));
  }

  @Override
  public Metrics evaluate(float[] params, Progress progress) {
    if (closed) {
      throw new IllegalStateException("this evaluator is closed");
    }
    Broadcast<float[]> weights = sc.broadcast(params);
    String previous = sc.getLocalProperty("spark.job.description");
    sc.setJobDescription(progress != null ? progress.describe() : "spindle evaluation");
    try {
      return Reductions.treeReduce(blocks.mapPartitions(new Evaluate(setup, weights), true),
          Metrics::merge, 2);
    } finally {
      sc.setJobDescription(previous);
      weights.destroy();
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      setup.destroy();
      ExecutorCleanup.run(sc, runId);
    }
  }

  private static final class Evaluate
      implements FlatMapFunction<Iterator<ExampleBlock>, Metrics> {

    private static final long serialVersionUID = 1L;

    private final Broadcast<ClosureSerialized<RunSetup>> setup;
    private final Broadcast<float[]> weights;

    Evaluate(Broadcast<ClosureSerialized<RunSetup>> setup, Broadcast<float[]> weights) {
      this.setup = setup;
      this.weights = weights;
    }

    @Override
    public Iterator<Metrics> call(Iterator<ExampleBlock> it) {
      RunSetup run = setup.value().get();
      Metrics metrics = new Metrics();
      if (!it.hasNext()) {
        return List.of(metrics).iterator();
      }
      ExecutorCache.RunState state = ExecutorCache.state(run.runId(), run.spec());
      GradientStep step = state.borrow();
      try {
        float[] params = weights.value();
        while (it.hasNext()) {
          step.evaluate(params, it.next(), LocalEvaluator.BATCH, metrics);
        }
      } finally {
        state.giveBack(step);
      }
      return List.of(metrics).iterator();
    }
  }
}
