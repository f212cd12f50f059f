package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Shape;

/**
 * Global average pooling: each channel's mean over its pixels, C x H x W to a vector of C
 * (Keras' GlobalAveragePooling2D; PyTorch's AdaptiveAvgPool2d(1) followed by flatten). Backward
 * spreads each channel's gradient evenly, 1 / (H W), over its pixels. No parameters.
 */
public record GlobalAvgPool() implements LayerSpec {

  @Override
  public String kind() {
    return "global-avg-pool";
  }

  @Override
  public Shape outputShape(Shape input) {
    return Shape.vector(input.channels());
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return new Instance(input, outputShape(input));
  }

  static final class Instance extends Layer {
    private final int channels;
    private final int pixels;
    private final float scale;

    Instance(Shape input, Shape output) {
      super(input, output, 0);
      this.channels = input.channels();
      this.pixels = input.height() * input.width();
      this.scale = 1f / pixels;
    }

    @Override
    public float[] forward(float[] params, float[] in, int n, boolean training) {
      float[] out = outputBuffer(n);
      int planes = n * channels;
      for (int plane = 0; plane < planes; plane++) {
        int base = plane * pixels;
        float s0 = 0f;
        float s1 = 0f;
        int p = 0;
        for (; p + 1 < pixels; p += 2) {
          s0 += in[base + p];
          s1 += in[base + p + 1];
        }
        if (p < pixels) {
          s0 += in[base + p];
        }
        out[plane] = (s0 + s1) * scale;
      }
      return out;
    }

    @Override
    public float[] backward(float[] params, float[] grads, float[] in, float[] gradOutput,
        int n, boolean computeGradInput) {
      if (!computeGradInput) {
        return null;
      }
      float[] dx = gradInputBuffer(n);
      int planes = n * channels;
      for (int plane = 0; plane < planes; plane++) {
        float g = gradOutput[plane] * scale;
        java.util.Arrays.fill(dx, plane * pixels, (plane + 1) * pixels, g);
      }
      return dx;
    }
  }
}
