package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Shape;

/**
 * C x H x W to a vector of C*H*W. NCHW batches are already flat per example, so forward and
 * backward pass the buffers through without copying.
 */
public record Flatten() implements LayerSpec {

  @Override
  public String kind() {
    return "flatten";
  }

  @Override
  public Shape outputShape(Shape input) {
    return Shape.vector(input.size());
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return new Layer(input, outputShape(input), paramOffset) {
      @Override
      public float[] forward(float[] params, float[] in, int n, boolean training) {
        output = in;
        return in;
      }

      @Override
      public float[] backward(float[] params, float[] grads, float[] in, float[] gradOutput,
          int n, boolean computeGradInput) {
        gradInput = gradOutput;
        return computeGradInput ? gradOutput : null;
      }
    };
  }
}
