package io.spindle.train;

import io.spindle.data.Augmentation;
import io.spindle.data.ExampleBlock;
import io.spindle.nn.Network;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.Loss;
import io.spindle.tensor.Shape;

/**
 * The per-batch work every trainer shares, single-process or on a Spark executor: forward,
 * loss, backward, adding the batch's <em>summed</em> gradient into a caller-owned vector.
 * Owns the network buffers, so one instance per task allocates nothing per batch.
 */
public final class GradientStep {

  private final Network network;
  private final Loss loss;
  private final int outSize;
  private final int stateCount;
  private final Shape inputShape;
  /** Training-time augmentation from the spec, or null. */
  private final Augmentation augmentation;
  private float[] augmentScratch = new float[0];
  private float[] gradOutput = new float[0];
  /** Batch buffers for examples gathered from a block (grow to the largest batch, then stay). */
  private float[] x = new float[0];
  private float[] y = new float[0];

  public GradientStep(NetworkSpec spec) {
    this.network = spec.instantiate();
    this.loss = spec.loss();
    this.outSize = spec.outputShape().size();
    this.stateCount = spec.stateCount();
    this.inputShape = spec.inputShape();
    this.augmentation = spec.augmentation();
  }

  public Network network() {
    return network;
  }

  /**
   * Forward and backward over {@code n} examples.
   *
   * @param features n x inputShape floats (NCHW)
   * @param targets n x targetSize floats
   * @param grads receives the gradient of the summed loss (added, not overwritten)
   * @param seed seeds dropout for this batch
   * @param into receives the summed loss, correct predictions and n
   */
  public void accumulate(float[] params, float[] features, float[] targets, int n,
      float[] grads, long seed, Metrics into) {
    if (n == 0) {
      return;
    }
    network.reseed(seed);
    float[] out = network.forward(params, features, n, true);
    if (gradOutput.length < n * outSize) {
      gradOutput = new float[n * outSize];
    }
    if (stateCount > 0) {
      network.addBatchStatistics(into.batchStats(stateCount));
    }
    double lossSum = loss.lossAndGradient(out, targets, n, outSize, gradOutput);
    int correct = loss.countCorrect(out, targets, n, outSize);
    network.backward(params, grads, gradOutput, n);
    into.add(lossSum, correct, n);
  }

  /**
   * Gathers examples {@code order[from .. from+n)} of {@code block} into this step's batch
   * buffers (uint8 features scaled to float here, per batch), applies the spec's training
   * augmentation (seeded by {@code seed} and each example's index in the block), and
   * accumulates as {@link #accumulate(float[], float[], float[], int, float[], long, Metrics)}.
   */
  public void accumulate(float[] params, ExampleBlock block, int[] order, int from, int n,
      float[] grads, long seed, Metrics into) {
    accumulate(params, block.featureSize(), block.targetSize(),
        (x, y) -> block.gather(order, from, n, x, y), order, from, n, grads, seed, into);
  }

  /** Fills the first n examples of the batch buffers (features as floats, then targets). */
  @FunctionalInterface
  public interface BatchFill {
    void fill(float[] x, float[] y);
  }

  /**
   * Like {@link #accumulate(float[], ExampleBlock, int[], int, int, float[], long, Metrics)}
   * with the examples gathered by {@code fill} (from several chunks, say); {@code ids[idsFrom
   * .. idsFrom+n)} identify the examples to the augmentation's per-example seeds.
   */
  public void accumulate(float[] params, int featureSize, int targetSize, BatchFill fill,
      int[] ids, int idsFrom, int n, float[] grads, long seed, Metrics into) {
    if (n == 0) {
      return;
    }
    ensureBatch(featureSize, targetSize, n);
    fill.fill(x, y);
    if (augmentation != null) {
      if (augmentScratch.length < inputShape.size()) {
        augmentScratch = new float[inputShape.size()];
      }
      augmentation.apply(x, n, inputShape, ids, idsFrom, seed, augmentScratch);
    }
    accumulate(params, x, y, n, grads, seed, into);
  }

  /** Inference-mode loss and accuracy sums over all of {@code block}, {@code rows} at a time. */
  public void evaluate(float[] params, ExampleBlock block, int rows, Metrics into) {
    if (rows <= 0) {
      throw new IllegalArgumentException("evaluation batch must be positive, got " + rows);
    }
    for (int from = 0; from < block.count(); from += rows) {
      int n = Math.min(rows, block.count() - from);
      ensureBatch(block.featureSize(), block.targetSize(), n);
      block.gatherRange(from, n, x, y);
      evaluate(params, x, y, n, into);
    }
  }

  private void ensureBatch(int featureSize, int targetSize, int n) {
    long xs = (long) n * featureSize;
    if (x.length < xs) {
      x = new float[Math.toIntExact(xs)];
    }
    long ys = (long) n * targetSize;
    if (y.length < ys) {
      y = new float[Math.toIntExact(ys)];
    }
  }

  /** Forward only (inference mode): adds loss and accuracy sums into {@code into}. */
  public void evaluate(float[] params, float[] features, float[] targets, int n, Metrics into) {
    if (n == 0) {
      return;
    }
    float[] out = network.forward(params, features, n, false);
    double lossSum = loss.lossAndGradient(out, targets, n, outSize, null);
    into.add(lossSum, loss.countCorrect(out, targets, n, outSize), n);
  }

  /** Forward only, returning raw outputs (logits) for n examples in the network's buffer. */
  public float[] predictRaw(float[] params, float[] features, int n) {
    return network.forward(params, features, n, false);
  }
}
