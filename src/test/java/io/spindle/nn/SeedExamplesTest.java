package io.spindle.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spindle.nn.loss.MeanSquaredError;
import io.spindle.nn.loss.SigmoidBinaryCrossEntropy;
import io.spindle.optim.Sgd;
import io.spindle.train.GradientStep;
import io.spindle.train.Metrics;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of shared/docs/seed-examples.md, reproduced through the engine's own
 * layers, losses and optimizer (never by re-deriving a formula here). Expected values are the
 * exact double-precision ones; float32 must match to 1e-5 relative.
 */
class SeedExamplesTest {

  static void assertClose(double expected, double actual, String what) {
    double tol = 1e-5 * Math.max(Math.abs(expected), 1e-30);
    assertEquals(expected, actual, tol, what);
  }

  /** input(3) -> dense(1) -> sigmoid, with w = [0.4, 0.2, 0.6], b = 0.1. */
  private static NetworkSpec neuron() {
    return NetworkSpec.builder().input(3).dense(1).sigmoid().loss(new MeanSquaredError()).build();
  }

  private static float[] neuronParams() {
    return new float[] {0.4f, 0.2f, 0.6f, 0.1f};
  }

  @Test
  void example1_oneSigmoidNeuron() {
    Network net = neuron().instantiate();
    float[] out = net.forward(neuronParams(), new float[] {0.5f, 0.3f, 0.1f}, 1, false);
    assertClose(0.42, net.layer(0).lastOutput()[0], "weighted sum z");
    assertClose(0.6034832498647263, out[0], "sigmoid(z)");
  }

  @Test
  void example2_oneGradientStepWithSquaredError() {
    NetworkSpec spec = neuron();
    float[] params = neuronParams();
    float[] grads = new float[spec.paramCount()];
    Metrics m = new Metrics();
    new GradientStep(spec).accumulate(params, new float[] {0.5f, 0.3f, 0.1f}, new float[] {0.4f},
        1, grads, 0L, m);
    new Sgd(0.1).step(params, grads, 0);
    assertClose(0.39513082455012766, params[0], "w0");
    assertClose(0.1970784947300766, params[1], "w1");
    assertClose(0.5990261649100255, params[2], "w2");
    assertClose(0.09026164910025532, params[3], "b");
    double yPred = 0.6034832498647263;
    assertClose((yPred - 0.4) * (yPred - 0.4), m.lossSum, "loss (y - t)^2");
  }

  /** The 4x4 image [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]] as a 1x4x4 example. */
  private static float[] image4x4() {
    float[] img = new float[16];
    for (int i = 0; i < 16; i++) {
      img[i] = i + 1;
    }
    return img;
  }

  @Test
  void example3_convolutionStride1NoPadding() {
    // One 2x2 filter [[-1,-1],[1,1]] with zero bias; parameters are weights then bias.
    NetworkSpec spec = NetworkSpec.builder().input(1, 4, 4).conv(1, 2)
        .loss(new MeanSquaredError()).build();
    assertEquals(io.spindle.tensor.Shape.of(1, 3, 3), spec.outputShape(),
        "output size rule ((in - k + 2p) / s) + 1");
    float[] params = {-1f, -1f, 1f, 1f, 0f};
    float[] out = spec.instantiate().forward(params, image4x4(), 1, false);
    for (int i = 0; i < 9; i++) {
      assertClose(8.0, out[i], "output[" + i / 3 + "][" + i % 3 + "]");
    }
  }

  @Test
  void example4_maxPooling2x2Stride2() {
    NetworkSpec spec = NetworkSpec.builder().input(1, 4, 4).maxPool(2)
        .loss(new MeanSquaredError()).build();
    assertEquals(io.spindle.tensor.Shape.of(1, 2, 2), spec.outputShape());
    float[] out = spec.instantiate().forward(new float[0], image4x4(), 1, false);
    double[] expected = {6, 8, 14, 16};
    for (int i = 0; i < 4; i++) {
      assertClose(expected[i], out[i], "output[" + i / 2 + "][" + i % 2 + "]");
    }
  }

  @Test
  void example5_twoTwoOneNetworkForwardAndBackwardWithBce() {
    NetworkSpec spec = NetworkSpec.builder().input(2).dense(2).sigmoid().dense(1)
        .loss(new SigmoidBinaryCrossEntropy()).build();
    // Dense weights are column-major (units x inputs): W1 = [[0.1, 0.4], [0.8, 0.6]].
    float[] params = {0.1f, 0.8f, 0.4f, 0.6f, 0.3f, 0.9f, 0.3f, 0.7f, 0.5f};
    float[] grads = new float[spec.paramCount()];
    GradientStep step = new GradientStep(spec);
    Metrics m = new Metrics();
    step.accumulate(params, new float[] {0.5f, 0.2f}, new float[] {1f}, 1, grads, 0L, m);
    Network net = step.network();

    float[] z1 = net.layer(0).lastOutput();
    assertClose(0.43, z1[0], "Z1[0]");
    assertClose(1.42, z1[1], "Z1[1]");
    float[] a1 = net.layer(1).lastOutput();
    assertClose(0.6058736684317606, a1[0], "A1[0]");
    assertClose(0.8053384164084221, a1[1], "A1[1]");
    float[] z2 = net.layer(2).lastOutput().clone();
    assertClose(1.2454989920154236, z2[0], "Z2");
    spec.loss().toPrediction(z2, 1, 1);
    assertClose(0.7765197427749969, z2[0], "Y_hat");
    assertClose(0.25293321137856234, m.lossSum, "J");

    assertClose(-0.2234802572250031, grads[8], "dJ/dZ2 = dJ/db2");
    assertClose(-0.1354008032669861, grads[6], "dJ/dW2[0]");
    assertClose(-0.17997723645213082, grads[7], "dJ/dW2[1]");
    float[] dA1 = net.layer(2).lastGradInput();
    assertClose(-0.06704407716750092, dA1[0], "W2^T dJ/dZ2 [0]");
    assertClose(-0.15643618005750215, dA1[1], "W2^T dJ/dZ2 [1]");
    float[] dZ1 = net.layer(1).lastGradInput();
    assertClose(-0.016009506564903034, dZ1[0], "dJ/dZ1[0]");
    assertClose(-0.02452425770074535, dZ1[1], "dJ/dZ1[1]");
    assertClose(-0.016009506564903034, grads[4], "dJ/db1[0]");
    assertClose(-0.02452425770074535, grads[5], "dJ/db1[1]");
    // dJ/dW1 = dJ/dZ1 X^T, stored column-major.
    assertClose(-0.008004753282451517, grads[0], "dJ/dW1[0][0]");
    assertClose(-0.012262128850372676, grads[1], "dJ/dW1[1][0]");
    assertClose(-0.0032019013129806068, grads[2], "dJ/dW1[0][1]");
    assertClose(-0.0049048515401490704, grads[3], "dJ/dW1[1][1]");

    // Update: every parameter p <- p - eta * dJ/dp.
    float eta = 0.5f;
    float[] before = params.clone();
    new Sgd(eta).step(params, grads, 0);
    assertClose(0.1 - eta * -0.008004753282451517, params[0], "W1[0][0] updated");
    assertClose(0.5 - eta * -0.2234802572250031, params[8], "b2 updated");
    assertClose(before[7] - eta * -0.17997723645213082, params[7], "W2[1] updated");
  }
}
