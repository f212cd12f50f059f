package io.spindle.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.Network;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A ReLU folded into the layer before it (batch norm, a residual block's sum; conv and dense
 * too) computes bit for bit what the two layers compute one after the other: outputs in
 * training and inference mode, parameter gradients and input gradients. Each case also checks
 * that the fold took place, at the top level and inside residual blocks.
 */
class FoldedReluTest {

  @Test
  void batchNormWithItsReluMatchesTheTwoLayers() {
    check(Shape.of(2, 6, 5), List.of(conv(4), new BatchNorm(), new ReLU(), new Dense(3)), 2);
    check(Shape.of(7, 1, 1), List.of(new Dense(9), new BatchNorm(), new ReLU(), new Dense(2)), 2);
  }

  @Test
  void residualSumWithItsReluMatchesTheTwoLayers() {
    // Identity shortcut; inside, a batch norm folds its ReLU.
    Residual identity = new Residual(List.of(conv(3), new BatchNorm(), new ReLU(), conv(3),
        new BatchNorm()));
    check(Shape.of(3, 5, 6), List.of(identity, new ReLU(), new Dense(2)), 1);
    // Projection shortcut (stride 2).
    Residual projected = new Residual(List.of(conv(4).withStride(2, 2), new BatchNorm(),
        new ReLU(), conv(4)));
    check(Shape.of(2, 7, 7), List.of(conv(2), projected, new ReLU(), new Dense(3)), 2);
  }

  private static Conv2D conv(int filters) {
    return new Conv2D(filters, 3).withPadding(1, 1);
  }

  /** Compares the network (which folds) with its layers run one by one, unfolded. */
  private static void check(Shape input, List<LayerSpec> layers, int reluAt) {
    NetworkSpec spec = new NetworkSpec(input, layers, new MeanSquaredError());
    SplittableRandom rng = new SplittableRandom(20261206L + reluAt);
    float[] model = new float[spec.modelSize()];
    for (int i = 0; i < model.length; i++) {
      model[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int n = 5;
    float[] x = random(rng, n * input.size());
    float[] dy = random(rng, n * spec.outputShape().size());

    Network folded = spec.instantiate();
    Layer[] plain = new Layer[layers.size()];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = layers.get(i).instantiate(spec.layerInputShape(i), spec.paramOffset(i),
          spec.paramCount() + spec.stateOffset(i));
    }
    for (boolean training : new boolean[] {true, false}) {
      float[] y = folded.forward(model, x, n, training).clone();
      float[] a = x;
      for (Layer layer : plain) {
        a = layer.forward(model, a, n, training);
      }
      int outLen = n * spec.outputShape().size();
      assertArrayEquals(Arrays.copyOf(a, outLen), Arrays.copyOf(y, outLen),
          "output, training " + training);
      assertSame(folded.layer(reluAt - 1).lastOutput(), folded.layer(reluAt).lastOutput(),
          "the ReLU after layer " + reluAt + " is folded into it");
      for (Layer layer : new Layer[] {folded.layer(reluAt - 1), plain[reluAt - 1]}) {
        if (layer instanceof Residual.Instance block && block.innerCount() > 2) {
          assertSame(block.inner(1).lastOutput(), block.inner(2).lastOutput(),
              "the block's inner ReLU is folded into its batch norm");
        }
      }
    }
    folded.forward(model, x, n, true);
    float[] foldedGrads = new float[spec.paramCount()];
    float[] dx = folded.backward(model, foldedGrads, dy, n, true).clone();
    float[] a = x;
    for (Layer layer : plain) {
      a = layer.forward(model, a, n, true);
    }
    float[] plainGrads = new float[spec.paramCount()];
    float[] g = dy;
    for (int i = plain.length - 1; i >= 0; i--) {
      float[] in = i == 0 ? x : plain[i - 1].lastOutput();
      g = plain[i].backward(model, plainGrads, in, g, n, true);
    }
    assertArrayEquals(plainGrads, foldedGrads, "parameter gradients");
    int inLen = n * input.size();
    assertArrayEquals(Arrays.copyOf(g, inLen), Arrays.copyOf(dx, inLen), "input gradient");
  }

  private static float[] random(SplittableRandom rng, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    return a;
  }
}
