package io.spindle.spark;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.train.ConfusionEvaluator;
import io.spindle.train.GradientStep;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Distributed inference for {@code evaluate} and {@code predict}: the parameters are broadcast
 * once, and each partition runs the network over its block batch by batch (one gemm per layer
 * per batch, never per row).
 */
public final class SparkInference {

  private SparkInference() {}

  /** Loss, accuracy and confusion matrix of {@code params} over the blocks. */
  public static ConfusionEvaluator.Result evaluate(JavaSparkContext sc, NetworkSpec spec,
      float[] params, JavaRDD<ExampleBlock> blocks) {
    Broadcast<float[]> weights = sc.broadcast(params);
    try {
      sc.setJobDescription("spindle evaluate");
      return blocks.mapPartitions((Iterator<ExampleBlock> it) -> {
        ConfusionEvaluator evaluator = new ConfusionEvaluator(spec);
        ConfusionEvaluator.Result result = evaluator.newResult();
        while (it.hasNext()) {
          evaluator.evaluate(weights.value(), it.next(), result.metrics(), result.confusion());
        }
        return Collections.singletonList(result).iterator();
      }).treeReduce(ConfusionEvaluator.Result::merge, 2);
    } finally {
      weights.destroy();
    }
  }

  /** One block's predictions: user-facing outputs (probabilities or values), row-major. */
  public record Predictions(int partition, int count, int outputs, float[] values,
      int[] classes, float[] targets, int targetSize) implements java.io.Serializable {}

  /** Predictions for every example, in partition order. */
  public static List<Predictions> predict(JavaSparkContext sc, NetworkSpec spec, float[] params,
      JavaRDD<ExampleBlock> blocks, int batch) {
    Broadcast<float[]> weights = sc.broadcast(params);
    try {
      sc.setJobDescription("spindle predict");
      return new ArrayList<>(blocks.mapPartitionsWithIndex((p, it) -> {
        GradientStep step = new GradientStep(spec);
        int in = spec.inputShape().size();
        int out = spec.outputShape().size();
        List<Predictions> result = new ArrayList<>();
        while (it.hasNext()) {
          ExampleBlock block = it.next();
          int ts = block.targetSize();
          float[] x = new float[batch * in];
          float[] y = new float[batch * ts];
          float[] values = new float[block.count() * out];
          float[] targets = new float[block.count() * ts];
          int[] classes = new int[block.count()];
          for (int from = 0; from < block.count(); from += batch) {
            int n = Math.min(batch, block.count() - from);
            block.gatherRange(from, n, x, y);
            float[] raw = step.predictRaw(weights.value(), x, n);
            System.arraycopy(raw, 0, values, from * out, n * out);
            for (int j = 0; j < n; j++) {
              // The class comes from the raw output (logits), before probabilities are taken.
              classes[from + j] = spec.loss().predictedClass(raw, j * out, out);
            }
            System.arraycopy(y, 0, targets, from * ts, n * ts);
          }
          spec.loss().toPrediction(values, block.count(), out);
          result.add(new Predictions(p, block.count(), out, values, classes, targets, ts));
        }
        return result.iterator();
      }, true).collect());
    } finally {
      weights.destroy();
    }
  }
}
