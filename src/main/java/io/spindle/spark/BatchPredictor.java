package io.spindle.spark;

import io.spindle.nn.NetworkSpec;
import io.spindle.train.GradientStep;

/**
 * The network in inference mode over batches of examples, one per task: fill {@link #input}
 * with up to {@link #rows} examples (NCHW floats), then {@link #predictRaw} runs one forward
 * pass (one gemm per dense layer, im2col + gemm per convolution) for the whole batch. Buffers are
 * allocated once. Shared by every inference path: blocks ({@link SparkInference#predict}),
 * DataFrame rows ({@link SparkInference#transform}: Spark ML models and {@code spindle predict}).
 */
public final class BatchPredictor {

  private final GradientStep step;
  private final int rows;
  private final int inputSize;
  private final int outputSize;
  private final float[] x;

  public BatchPredictor(NetworkSpec spec, int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("inference batch must be >= 1 rows, got " + rows);
    }
    this.step = new GradientStep(spec);
    this.rows = rows;
    this.inputSize = spec.inputShape().size();
    this.outputSize = spec.outputShape().size();
    this.x = new float[Math.multiplyExact(rows, inputSize)];
  }

  /** The batch buffer: example j at {@code [j * inputSize(), (j + 1) * inputSize())}. */
  public float[] input() {
    return x;
  }

  public int rows() {
    return rows;
  }

  public int inputSize() {
    return inputSize;
  }

  public int outputSize() {
    return outputSize;
  }

  /** Raw outputs (logits for the fused losses) of the first n examples, n x outputSize. */
  public float[] predictRaw(float[] params, int n) {
    if (n > rows) {
      throw new IllegalArgumentException("batch of " + n + " rows exceeds " + rows);
    }
    return step.predictRaw(params, x, n);
  }
}
