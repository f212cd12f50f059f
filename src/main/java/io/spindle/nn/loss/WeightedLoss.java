package io.spindle.nn.loss;

/**
 * Per-example weights on any loss: each example's target carries one more float, its weight w,
 * and the example's loss and gradient are multiplied by {@code w * scale}. The sum semantics of
 * {@link Loss} stay: the trainer divides the summed gradient by the example count, so with
 * {@code scale = count / sum(w)} over the training set the objective is the weighted mean
 * {@code sum(w L) / sum(w)} over an epoch (per mini-batch it is {@code sum(w L) * scale / n}).
 *
 * <p>Accuracy ({@link #countCorrect}) stays unweighted. Used for training only (Spark ML's
 * weightCol); a trained network is saved with the base loss.
 */
public final class WeightedLoss implements Loss {

  private static final long serialVersionUID = 1L;

  private final Loss base;
  private final float scale;

  /**
   * Per-thread scratch: a spec (and its loss) is shared by the task threads of an executor, so
   * buffers cannot live in the instance. Grown on demand, then reused: nothing per batch.
   */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** @param scale multiplies every weight; {@code count / sum(weights)} normalizes them to mean 1 */
  public WeightedLoss(Loss base, double scale) {
    if (base instanceof WeightedLoss) {
      throw new IllegalArgumentException("the loss is already weighted");
    }
    if (!(scale > 0 && Double.isFinite(scale))) {
      throw new IllegalArgumentException("weight scale must be a finite positive number, got "
          + scale);
    }
    this.base = base;
    this.scale = (float) scale;
  }

  public Loss base() {
    return base;
  }

  public float scale() {
    return scale;
  }

  @Override
  public String name() {
    return base.name();
  }

  @Override
  public int targetSize(int outputSize) {
    return base.targetSize(outputSize) + 1;
  }

  @Override
  public double lossAndGradient(float[] output, float[] t, int n, int k, float[] grad) {
    int ts = base.targetSize(k);
    Scratch s = SCRATCH.get().ensure(k, ts);
    double sum = 0;
    // One example at a time through the base loss (all of Spindle's losses are per-example
    // sums), so each example's loss and gradient row can be scaled by its own weight.
    for (int j = 0; j < n; j++) {
      float w = weight(t, j, ts);
      System.arraycopy(output, j * k, s.out, 0, k);
      System.arraycopy(t, j * (ts + 1), s.target, 0, ts);
      double l = base.lossAndGradient(s.out, s.target, 1, k, grad == null ? null : s.grad);
      sum += w * l;
      if (grad != null) {
        for (int i = 0; i < k; i++) {
          grad[j * k + i] = w * s.grad[i];
        }
      }
    }
    return sum;
  }

  private float weight(float[] t, int j, int ts) {
    float w = t[j * (ts + 1) + ts];
    if (!(w >= 0 && Float.isFinite(w))) {
      throw new IllegalArgumentException("example weight " + w + " of example " + j
          + " is not a finite number >= 0; fix the weight column");
    }
    return w * scale;
  }

  @Override
  public int countCorrect(float[] output, float[] t, int n, int k) {
    int ts = base.targetSize(k);
    Scratch s = SCRATCH.get().ensure(k, ts);
    int correct = 0;
    for (int j = 0; j < n; j++) {
      System.arraycopy(output, j * k, s.out, 0, k);
      System.arraycopy(t, j * (ts + 1), s.target, 0, ts);
      correct += base.countCorrect(s.out, s.target, 1, k);
    }
    return correct;
  }

  @Override
  public int predictedClass(float[] output, int offset, int k) {
    return base.predictedClass(output, offset, k);
  }

  @Override
  public int trueClass(float[] t, int offset, int k) {
    return base.trueClass(t, offset, k);
  }

  @Override
  public void toPrediction(float[] output, int n, int k) {
    base.toPrediction(output, n, k);
  }

  @Override
  public boolean isClassification() {
    return base.isClassification();
  }

  private static final class Scratch {
    float[] out = new float[0];
    float[] grad = new float[0];
    float[] target = new float[0];

    Scratch ensure(int k, int ts) {
      if (out.length < k) {
        out = new float[k];
        grad = new float[k];
      }
      if (target.length < ts) {
        target = new float[ts];
      }
      return this;
    }
  }
}
