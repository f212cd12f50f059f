package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.layers.AvgPool2D;
import io.spindle.nn.layers.BatchNorm;
import io.spindle.nn.layers.Conv2D;
import io.spindle.nn.layers.Dense;
import io.spindle.nn.layers.Dropout;
import io.spindle.nn.layers.Flatten;
import io.spindle.nn.layers.GlobalAvgPool;
import io.spindle.nn.layers.LeakyReLU;
import io.spindle.nn.layers.MaxPool2D;
import io.spindle.nn.layers.ReLU;
import io.spindle.nn.layers.Residual;
import io.spindle.nn.layers.Sigmoid;
import io.spindle.nn.layers.Softmax;
import io.spindle.nn.layers.Tanh;
import io.spindle.nn.loss.Loss;
import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.nn.loss.SigmoidBinaryCrossEntropy;
import io.spindle.nn.loss.SoftmaxCrossEntropy;
import io.spindle.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Central-difference gradient checks of every layer and every loss, with respect to the
 * parameters and to the network input (through {@link Network#backward} with
 * {@code inputGradient}). The engine is float32, so the differences are taken in double on
 * float32 evaluations and must agree with backprop to a relative error below 1e-2 (the issue's
 * float32 limit), with relative error |a - b| / max(|a| + |b|, floor).
 *
 * <p>Why the numbers below: the loss is summed in double, but from float32 outputs, and the
 * rounding of the outputs a perturbation touches (~1e-7 relative each) does not cancel between
 * the two evaluations; divided by 2h, it swamps small gradients when h is small (with h = 1e-3
 * two checks failed on noise alone). With h = 1e-2 the truncation error (~h^2/6 times a third
 * derivative) is still negligible and the worst case below measured 3e-3. Backprop itself is
 * float32, exact to about 1e-6 of the largest values flowing through it, so the floor of the
 * denominator is 1e-3 times the largest gradient of the check (at least 1e-3): gradients that
 * are zero up to rounding do not divide noise by noise. Kinks break central differences, so
 * inputs are drawn away from them: ReLU inputs at least 0.1 from zero (10 steps), max-pool
 * inputs distinct and 0.05 apart (a step never changes a window's winner); the end-to-end
 * network uses smooth activations and average pooling.
 */
class GradientCheckTest {

  private static final double STEP = 1e-2;
  private static final double FLOOR = 1e-3;
  private static final double LIMIT = 1e-2;
  private static final int N = 3;

  // ---------------------------------------------------------------- layers (with MSE on top)

  @Test
  void dense() {
    assertGradients(mse(Shape.of(3, 2, 2), new Dense(5)), Inputs.UNIFORM, 1);
  }

  @Test
  void conv2dStride2Padding1ThreeChannelsNonSquareInput() {
    Conv2D conv = new Conv2D(4, 3, 3, 2, 2, 1, 1, Init.HE_UNIFORM);
    assertGradients(mse(Shape.of(3, 7, 6), conv), Inputs.UNIFORM, 2);
  }

  @Test
  void conv2dNonSquareKernelMixedStrideAndPadding() {
    // 4 channels x 4 x 5 = 80 taps: the batched forward path (>= 64 taps).
    Conv2D conv = new Conv2D(3, 4, 5, 2, 1, 1, 2, Init.HE_UNIFORM);
    assertGradients(mse(Shape.of(4, 6, 9), conv), Inputs.UNIFORM, 3);
  }

  @Test
  void conv2dLeNetFirstLayerGeometry() {
    Conv2D conv = new Conv2D(2, 5, 5, 1, 1, 2, 2, Init.HE_UNIFORM);
    assertGradients(mse(Shape.of(1, 8, 7), conv), Inputs.UNIFORM, 4);
  }

  @Test
  void conv2dKernelWiderThanTheInput() {
    // Some taps see only padding: their im2col columns are all zeros.
    Conv2D conv = new Conv2D(2, 3, 5, 1, 1, 1, 2, Init.HE_UNIFORM);
    assertGradients(mse(Shape.of(2, 3, 2), conv), Inputs.UNIFORM, 17);
  }

  @Test
  void maxPool() {
    assertGradients(mse(Shape.of(2, 6, 8), new MaxPool2D(2)), Inputs.DISTINCT, 5);
  }

  @Test
  void maxPoolHalvingOddInput() {
    // 2x2 stride 2 on odd sides: the last row and column are in no window and get 0.
    assertGradients(mse(Shape.of(2, 7, 5), new MaxPool2D(2)), Inputs.DISTINCT, 20);
  }

  @Test
  void maxPoolOverlappingWindowsWithPadding() {
    MaxPool2D pool = new MaxPool2D(3, 3, 2, 2, 1, 1);
    assertGradients(mse(Shape.of(2, 7, 6), pool), Inputs.DISTINCT, 6);
  }

  @Test
  void avgPool() {
    assertGradients(mse(Shape.of(2, 6, 8), new AvgPool2D(2)), Inputs.UNIFORM, 7);
  }

  @Test
  void avgPoolStrideUnlikeSizeWithPadding() {
    AvgPool2D pool = new AvgPool2D(3, 2, 2, 1, 1, 1);
    assertGradients(mse(Shape.of(2, 7, 5), pool), Inputs.UNIFORM, 8);
  }

  @Test
  void flatten() {
    // Flatten in front of a dense layer, as it is used.
    NetworkSpec spec = new NetworkSpec(Shape.of(2, 3, 2), List.of(new Flatten(), new Dense(3)),
        new MeanSquaredError());
    assertGradients(spec, Inputs.UNIFORM, 9);
  }

  @Test
  void relu() {
    assertGradients(mse(Shape.of(2, 3, 3), new ReLU()), Inputs.AWAY_FROM_ZERO, 10);
  }

  @Test
  void leakyRelu() {
    assertGradients(mse(Shape.of(2, 3, 3), new LeakyReLU(0.1f)), Inputs.AWAY_FROM_ZERO, 11);
  }

  @Test
  void sigmoid() {
    assertGradients(mse(Shape.vector(7), new Sigmoid()), Inputs.WIDE, 12);
  }

  @Test
  void tanh() {
    assertGradients(mse(Shape.vector(7), new Tanh()), Inputs.WIDE, 13);
  }

  @Test
  void softmax() {
    assertGradients(mse(Shape.vector(6), new Softmax()), Inputs.WIDE, 14);
  }

  @Test
  void dropoutWithAFixedSeed() {
    // Dense first so parameters are checked through the mask too.
    NetworkSpec spec = new NetworkSpec(Shape.vector(6), List.of(new Dense(8), new Dropout(0.4)),
        new MeanSquaredError());
    assertGradients(spec, Inputs.UNIFORM, 15);
  }

  /**
   * Layers chained as in a real network, so offsets into the flat vectors and buffers passed
   * between layers are checked too. Smooth activations and average pooling: a parameter
   * perturbation moves every downstream value, so no kink could be kept out of reach.
   */
  @Test
  void smallConvNetEndToEnd() {
    NetworkSpec spec = NetworkSpec.builder().input(2, 9, 8)
        .conv(3, 3).pad(1).tanh().avgPool(2)
        .add(new Conv2D(4, 2, 3, 1, 2, 1, 0, Init.HE_UNIFORM)).sigmoid()
        .add(new AvgPool2D(2, 2, 1, 1, 1, 1)).flatten().dense(5).tanh().dense(3)
        .loss(new SoftmaxCrossEntropy()).build();
    assertGradients(spec, Inputs.UNIFORM, 16);
  }

  /**
   * A ReLU after conv and dense layers is folded into their output pass (Network): the
   * per-example forward (< 64 taps), the batched one (>= 64 taps) and dense, each with its
   * masked backward. The fold is checked to have happened, and the loss, parameter and input
   * gradients must match the same network with LeakyReLU(0), which is never folded and has
   * its own gradient check (a central difference across ReLU kinks would be too coarse here).
   */
  @Test
  void reluFoldedIntoConvAndDense() {
    List<LayerSpec> layers = List.of(new Conv2D(3, 3, 3, 1, 1, 1, 1, Init.HE_UNIFORM),
        new ReLU(), new Conv2D(4, 3, 3, 1, 1, 1, 1, Init.HE_UNIFORM), new ReLU(), // 18, 27 taps
        new Conv2D(5, 3, 3, 1, 1, 1, 1, Init.HE_UNIFORM), new ReLU(),               // 36 taps
        new Conv2D(3, 4, 4, 1, 1, 1, 1, Init.HE_UNIFORM), new ReLU(),    // 80 taps: batched
        new Flatten(), new Dense(7), new ReLU(), new Dense(3));
    List<LayerSpec> reference = layers.stream()
        .map(l -> l instanceof ReLU ? (LayerSpec) new LeakyReLU(0f) : l).toList();
    NetworkSpec fused = new NetworkSpec(Shape.of(2, 6, 5), layers, new SoftmaxCrossEntropy());
    NetworkSpec plain = new NetworkSpec(Shape.of(2, 6, 5), reference, new SoftmaxCrossEntropy());
    assertFolded(fused, 1, 3, 5, 7, 10);
    float[][] a = backprop(fused, 18);
    float[][] b = backprop(plain, 18);
    for (int part = 0; part < a.length; part++) {
      for (int i = 0; i < a[part].length; i++) {
        assertEquals(b[part][i], a[part][i], 1e-5f * (1 + Math.abs(b[part][i])),
            new String[] {"output", "parameter gradient", "input gradient"}[part] + " " + i);
      }
    }
  }

  /** Output, parameter gradients and input gradients of one backprop, N random examples. */
  private static float[][] backprop(NetworkSpec spec, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] params = spec.initParams(seed);
    for (int i = 0; i < params.length; i++) {
      params[i] += (float) (0.1 * (rng.nextDouble() * 2 - 1));
    }
    float[] x = inputs(Inputs.UNIFORM, N * spec.inputShape().size(), rng);
    int k = spec.outputShape().size();
    float[] t = targets(spec.loss(), N, k, rng);
    Network net = spec.instantiate();
    float[] out = net.forward(params, x, N, true).clone();
    float[] gradOut = new float[N * k];
    spec.loss().lossAndGradient(out, t, N, k, gradOut);
    float[] grads = new float[params.length];
    float[] dx = net.backward(params, grads, gradOut, N, true).clone();
    return new float[][] {java.util.Arrays.copyOf(out, N * k), grads,
        java.util.Arrays.copyOf(dx, x.length)};
  }

  /** The ReLU layers at these indices pass their input through as their output. */
  private static void assertFolded(NetworkSpec spec, int... relus) {
    Network net = spec.instantiate();
    float[] x = inputs(Inputs.UNIFORM, N * spec.inputShape().size(), new SplittableRandom(1));
    net.forward(spec.initParams(1), x, N, true);
    for (int i : relus) {
      assertSame(net.layer(i - 1).lastOutput(), net.layer(i).lastOutput(),
          "ReLU at " + i + " folded into " + spec.layers().get(i - 1).kind());
    }
  }

  // ------------------------------------- batch normalization, residual blocks, global pooling

  /**
   * Train mode: the batch's own mean and variance, so every output depends on every input of
   * the batch. A conv and tanh around it: its gradients flow into the conv's parameters, and
   * the loss is not a plain linear function of normalized values (MSE right after batch norm
   * would also do, but checks less).
   */
  @Test
  void batchNormTrainModeConv() {
    NetworkSpec spec = NetworkSpec.builder().input(2, 4, 5)
        .conv(3, 3).pad(1).batchNorm().tanh().loss(new MeanSquaredError()).build();
    assertGradients(spec, Inputs.UNIFORM, 31);
  }

  @Test
  void batchNormTrainModeConvAlone() {
    assertGradients(mse(Shape.of(3, 3, 4), new BatchNorm(0.1, 1e-3)), Inputs.UNIFORM, 32);
  }

  /** Per feature: the statistics are over the N examples of the batch only. */
  @Test
  void batchNormTrainModeDense() {
    NetworkSpec spec = NetworkSpec.builder().input(6)
        .dense(5).batchNorm().tanh().dense(3).loss(new SoftmaxCrossEntropy()).build();
    assertGradients(spec, Inputs.UNIFORM, 33);
  }

  @Test
  void globalAvgPool() {
    NetworkSpec spec = NetworkSpec.builder().input(3, 4, 5).globalAvgPool().dense(4)
        .loss(new MeanSquaredError()).build();
    assertGradients(spec, Inputs.UNIFORM, 34);
  }

  @Test
  void residualBlockWithIdentityShortcut() {
    NetworkSpec spec = NetworkSpec.builder().input(3, 5, 4)
        .residual(b -> b.conv(3, 3).pad(1).tanh().conv(3, 3).pad(1)).tanh()
        .loss(new MeanSquaredError()).build();
    assertTrue(((Residual) spec.layers().get(0)).paramCount(spec.inputShape())
        == 2 * (3 * 3 * 9 + 3), "no projection: the shapes agree");
    assertGradients(spec, Inputs.UNIFORM, 35);
  }

  /** Stride 2 and more channels: the shortcut is a 1x1 convolution with stride 2. */
  @Test
  void residualBlockWithProjectionShortcut() {
    NetworkSpec spec = NetworkSpec.builder().input(2, 7, 6)
        .residual(b -> b.conv(4, 3).pad(1).stride(2).batchNorm().tanh().conv(4, 3).pad(1))
        .tanh().loss(new MeanSquaredError()).build();
    assertTrue(spec.outputShape().equals(Shape.of(4, 4, 3)), spec.outputShape().toString());
    assertTrue(spec.paramCount() == (4 * 2 * 9 + 4) + 8 + (4 * 4 * 9 + 4) + (4 * 2 + 4),
        "the projection's 1x1 weights and bias follow the block's layers");
    assertGradients(spec, Inputs.UNIFORM, 36);
  }

  /** On vectors of another size the projection is a dense layer. */
  @Test
  void residualBlockWithDenseProjectionOnVectors() {
    NetworkSpec spec = NetworkSpec.builder().input(6)
        .residual(b -> b.dense(4).tanh().dense(4)).tanh()
        .loss(new MeanSquaredError()).build();
    assertGradients(spec, Inputs.UNIFORM, 37);
  }

  /** shortcut = projection where the shapes agree: a 1x1 convolution with stride 1. */
  @Test
  void residualBlockWithForcedProjection() {
    NetworkSpec spec = NetworkSpec.builder().input(2, 4, 4)
        .residual(Residual.Shortcut.PROJECTION, b -> b.conv(2, 3).pad(1).tanh()).tanh()
        .loss(new MeanSquaredError()).build();
    assertTrue(spec.paramCount() == (2 * 2 * 9 + 2) + (2 * 2 + 2), "1x1 projection");
    assertGradients(spec, Inputs.UNIFORM, 39);
  }

  /**
   * A whole small ResNet as configs build it: stem conv + batch norm, an identity block, a
   * projection block holding a nested block, global average pooling and a dense classifier.
   * Smooth activations (tanh) instead of relu, so no kink is within reach of a step.
   */
  @Test
  void smallResNetEndToEnd() {
    NetworkSpec spec = NetworkSpec.builder().input(2, 6, 6)
        .conv(3, 3).pad(1).batchNorm().tanh()
        .residual(b -> b.conv(3, 3).pad(1).batchNorm().tanh().conv(3, 3).pad(1).batchNorm())
        .tanh()
        .residual(b -> b.conv(4, 3).pad(1).stride(2).batchNorm().tanh()
            .residual(c -> c.conv(4, 3).pad(1).batchNorm()))
        .tanh().globalAvgPool().dense(3).loss(new SoftmaxCrossEntropy()).build();
    assertTrue(spec.stateCount() == 2 * (3 + 3 + 3 + 4 + 4), "state of every batch norm");
    assertGradients(spec, Inputs.UNIFORM, 38);
  }

  // ---------------------------------------------------------------- losses (on a dense layer)

  @Test
  void meanSquaredErrorLoss() {
    assertGradients(withLoss(new MeanSquaredError(), 4), Inputs.UNIFORM, 21);
  }

  @Test
  void binaryCrossEntropyLoss() {
    assertGradients(withLoss(new SigmoidBinaryCrossEntropy(), 3), Inputs.UNIFORM, 22);
  }

  @Test
  void softmaxCrossEntropyLoss() {
    assertGradients(withLoss(new SoftmaxCrossEntropy(), 5), Inputs.UNIFORM, 23);
  }

  // ---------------------------------------------------------------- the check can fail

  /** A ReLU whose backward forgets the mask (passes dy through): the check must catch it. */
  @Test
  void aWrongInputGradientFailsTheCheck() {
    LayerSpec wrongRelu = new Tampered(new ReLU(), 1f, true);
    NetworkSpec spec = new NetworkSpec(Shape.vector(6), List.of(new Dense(5), wrongRelu),
        new MeanSquaredError());
    AssertionError e = assertThrows(AssertionError.class,
        () -> assertGradients(spec, Inputs.UNIFORM, 31));
    assertTrue(e.getMessage().contains("max relative error"), e.getMessage());
  }

  /** Parameter gradients 3% too large (relative error 1.5%) fail the 1e-2 limit. */
  @Test
  void aSlightlyWrongParameterGradientFailsTheCheck() {
    LayerSpec scaled = new Tampered(new Conv2D(2, 3, 3, 1, 1, 1, 1, Init.HE_UNIFORM), 1.03f,
        false);
    NetworkSpec spec = new NetworkSpec(Shape.of(1, 5, 4), List.of(scaled),
        new MeanSquaredError());
    AssertionError e = assertThrows(AssertionError.class,
        () -> assertGradients(spec, Inputs.UNIFORM, 32));
    assertTrue(e.getMessage().contains("parameter"), e.getMessage());
  }

  /**
   * A layer with a deliberately broken backward, to prove the check can fail: parameter
   * gradients scaled by {@code paramScale}, and optionally dy passed through as dx.
   */
  private record Tampered(LayerSpec inner, float paramScale, boolean passThrough)
      implements LayerSpec {

    @Override
    public String kind() {
      return "tampered-" + inner.kind();
    }

    @Override
    public Shape outputShape(Shape input) {
      return inner.outputShape(input);
    }

    @Override
    public int paramCount(Shape input) {
      return inner.paramCount(input);
    }

    @Override
    public void initParams(Shape input, float[] params, int offset, SplittableRandom rng) {
      inner.initParams(input, params, offset, rng);
    }

    @Override
    public Layer instantiate(Shape input, int paramOffset) {
      Layer real = inner.instantiate(input, paramOffset);
      int count = inner.paramCount(input);
      return new Layer(input, inner.outputShape(input), paramOffset) {
        @Override
        public float[] forward(float[] params, float[] in, int n, boolean training) {
          output = real.forward(params, in, n, training);
          return output;
        }

        @Override
        public float[] backward(float[] params, float[] grads, float[] in, float[] dy, int n,
            boolean computeGradInput) {
          float[] own = new float[grads.length];
          float[] dx = real.backward(params, own, in, dy, n, computeGradInput);
          for (int i = paramOffset; i < paramOffset + count; i++) {
            grads[i] += paramScale * own[i];
          }
          return passThrough ? dy : dx;
        }
      };
    }
  }

  // ---------------------------------------------------------------- the checker

  private enum Inputs {
    /** Uniform in [-1, 1]. */
    UNIFORM,
    /** Uniform in [-3, 3], to reach the saturating parts of sigmoid, tanh and softmax. */
    WIDE,
    /** Uniform in [-1, -0.1] or [0.1, 1]: no ReLU kink within reach of a step. */
    AWAY_FROM_ZERO,
    /** A shuffled grid 0.05 (five steps) apart: no ties, no max switches. */
    DISTINCT
  }

  private static NetworkSpec mse(Shape input, LayerSpec layer) {
    return new NetworkSpec(input, List.of(layer), new MeanSquaredError());
  }

  private static NetworkSpec withLoss(Loss loss, int outputs) {
    return new NetworkSpec(Shape.of(2, 2, 2), List.of(new Dense(outputs)), loss);
  }

  private static float[] inputs(Inputs kind, int len, SplittableRandom rng) {
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      double u = rng.nextDouble() * 2 - 1;
      x[i] = (float) switch (kind) {
        case UNIFORM -> u;
        case WIDE -> 3 * u;
        case AWAY_FROM_ZERO -> Math.copySign(0.1 + 0.9 * Math.abs(u), u);
        case DISTINCT -> 0;
      };
    }
    if (kind == Inputs.DISTINCT) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < len; i++) {
        order.add(i);
      }
      for (int i = len - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        order.set(j, order.set(i, order.get(j)));
      }
      for (int i = 0; i < len; i++) {
        x[i] = (float) (0.05 * (order.get(i) - len / 2));
      }
    }
    return x;
  }

  private static float[] targets(Loss loss, int n, int k, SplittableRandom rng) {
    float[] t = new float[n * loss.targetSize(k)];
    for (int i = 0; i < t.length; i++) {
      if (loss instanceof SoftmaxCrossEntropy) {
        t[i] = rng.nextInt(k);
      } else if (loss instanceof SigmoidBinaryCrossEntropy) {
        t[i] = i % 3 == 0 ? (float) rng.nextDouble() : rng.nextInt(2); // soft and hard targets
      } else {
        t[i] = (float) (rng.nextDouble() * 2 - 1);
      }
    }
    return t;
  }

  /**
   * Compares backprop with central differences for every parameter and every input value of
   * {@code N} examples. Dropout draws the same mask in every evaluation (same seed).
   */
  private static void assertGradients(NetworkSpec spec, Inputs kind, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int inSize = spec.inputShape().size();
    int k = spec.outputShape().size();
    float[] params = spec.initParams(seed);
    // Non-zero biases, so bias paths carry signal too.
    for (int i = 0; i < params.length; i++) {
      params[i] += (float) (0.1 * (rng.nextDouble() * 2 - 1));
    }
    float[] x = inputs(kind, N * inSize, rng);
    float[] t = targets(spec.loss(), N, k, rng);
    Network net = spec.instantiate();
    long dropoutSeed = seed * 31 + 7;

    // Backprop.
    net.reseed(dropoutSeed);
    float[] out = net.forward(params, x, N, true);
    float[] gradOut = new float[N * k];
    spec.loss().lossAndGradient(out, t, N, k, gradOut);
    float[] grads = new float[params.length];
    float[] dx = net.backward(params, grads, gradOut, N, true).clone();

    Errors errors = new Errors(spec.toString());
    for (int i = 0; i < params.length; i++) {
      errors.add("parameter " + i, grads[i], numeric(net, spec.loss(), params, x, t, params, i,
          dropoutSeed));
    }
    for (int i = 0; i < x.length; i++) {
      errors.add("input " + i, dx[i], numeric(net, spec.loss(), params, x, t, x, i, dropoutSeed));
    }
    errors.assertBelow(LIMIT);
  }

  /** d(loss)/d(values[i]) by central differences, where values is params or x. */
  private static double numeric(Network net, Loss loss, float[] params, float[] x, float[] t,
      float[] values, int i, long dropoutSeed) {
    float saved = values[i];
    float plus = (float) (saved + STEP);
    float minus = (float) (saved - STEP);
    values[i] = plus;
    double up = loss(net, loss, params, x, t, dropoutSeed);
    values[i] = minus;
    double down = loss(net, loss, params, x, t, dropoutSeed);
    values[i] = saved;
    // Divide by the step the float32 values actually took.
    return (up - down) / ((double) plus - minus);
  }

  private static double loss(Network net, Loss loss, float[] params, float[] x, float[] t,
      long dropoutSeed) {
    net.reseed(dropoutSeed);
    float[] out = net.forward(params, x, N, true);
    return loss.lossAndGradient(out, t, N, net.spec().outputShape().size(), null);
  }

  /** Collects (backprop, central difference) pairs and reports the worst relative error. */
  private static final class Errors {
    private final String what;
    private final List<String> where = new ArrayList<>();
    private final List<double[]> pairs = new ArrayList<>();

    Errors(String what) {
      this.what = what;
    }

    void add(String at, double analytic, double numeric) {
      where.add(at);
      pairs.add(new double[] {analytic, numeric});
    }

    void assertBelow(double limit) {
      double largest = 0;
      for (double[] p : pairs) {
        largest = Math.max(largest, Math.max(Math.abs(p[0]), Math.abs(p[1])));
      }
      if (largest < 10 * FLOOR) {
        throw new AssertionError(what + ": all " + pairs.size() + " gradients are below "
            + 10 * FLOOR + "; the check would prove nothing");
      }
      // Float32 backprop is exact only to about 1e-6 of the largest values flowing through it
      // (sums with cancellation), so the floor grows with the largest gradient.
      double floor = FLOOR * Math.max(1.0, largest);
      double worst = -1;
      int worstAt = -1;
      for (int i = 0; i < pairs.size(); i++) {
        double a = pairs.get(i)[0];
        double b = pairs.get(i)[1];
        double rel = Math.abs(a - b) / Math.max(Math.abs(a) + Math.abs(b), floor);
        if (!(rel <= worst)) {
          worst = rel;
          worstAt = i;
        }
      }
      if (!(worst < limit)) {
        throw new AssertionError(what + ": max relative error " + worst + " >= " + limit
            + " at " + where.get(worstAt) + ": backprop " + pairs.get(worstAt)[0]
            + ", central difference " + pairs.get(worstAt)[1] + " (largest gradient " + largest
            + ")");
      }
    }
  }
}
