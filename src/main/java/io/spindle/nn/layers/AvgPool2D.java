package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Average pooling over each channel with a window, stride and padding. Padding counts as zeros
 * in the average ("count_include_pad", PyTorch's default): every output is the sum of the
 * window's pixels inside the image divided by the full window size sizeH * sizeW, also at the
 * borders. Backward spreads each output gradient evenly, 1 / (sizeH * sizeW), over those pixels.
 */
public record AvgPool2D(int sizeH, int sizeW, int strideH, int strideW, int padH, int padW)
    implements LayerSpec {

  public AvgPool2D {
    PoolGeometry.validate(kind(), sizeH, sizeW, strideH, strideW, padH, padW);
  }

  /** A square window whose stride equals its size, the common case. */
  public AvgPool2D(int size) {
    this(size, size, size, size, 0, 0);
  }

  public AvgPool2D withStride(int sh, int sw) {
    return new AvgPool2D(sizeH, sizeW, sh, sw, padH, padW);
  }

  public AvgPool2D withPadding(int ph, int pw) {
    return new AvgPool2D(sizeH, sizeW, strideH, strideW, ph, pw);
  }

  @Override
  public String kind() {
    return "avg-pool";
  }

  @Override
  public Shape outputShape(Shape in) {
    return PoolGeometry.outputShape(kind(), in, sizeH, sizeW, strideH, strideW, padH, padW);
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return new Instance(this, input, outputShape(input));
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("size", List.of(sizeH, sizeW));
    c.put("stride", List.of(strideH, strideW));
    c.put("padding", List.of(padH, padW));
    return c;
  }

  static final class Instance extends Layer {
    private final PoolGeometry.Windows windows;
    private final float scale;

    Instance(AvgPool2D spec, Shape input, Shape output) {
      super(input, output, 0);
      this.windows = new PoolGeometry.Windows(input, output, spec.sizeH, spec.sizeW, spec.strideH,
          spec.strideW, spec.padH, spec.padW);
      this.scale = 1f / (spec.sizeH * spec.sizeW);
    }

    @Override
    public float[] forward(float[] params, float[] input, int n, boolean training) {
      float[] out = outputBuffer(n);
      int planes = n * inputShape.channels();
      int inPlane = inputShape.height() * inputShape.width();
      int outW = outputShape.width();
      int outH = outputShape.height();
      int width = inputShape.width();
      int o = 0;
      for (int plane = 0; plane < planes; plane++) {
        int base = plane * inPlane;
        for (int oy = 0; oy < outH; oy++) {
          int y0 = windows.rowStart(oy);
          int y1 = windows.rowEnd(oy);
          for (int ox = 0; ox < outW; ox++, o++) {
            int x0 = windows.colStart(ox);
            int x1 = windows.colEnd(ox);
            float sum = 0f;
            for (int y = y0; y < y1; y++) {
              int row = base + y * width;
              for (int x = x0; x < x1; x++) {
                sum += input[row + x];
              }
            }
            out[o] = sum * scale;
          }
        }
      }
      return out;
    }

    @Override
    public float[] backward(float[] params, float[] grads, float[] input, float[] gradOutput,
        int n, boolean computeGradInput) {
      if (!computeGradInput) {
        return null;
      }
      float[] dx = gradInputBuffer(n);
      Arrays.fill(dx, 0, n * inputShape.size(), 0f);
      int planes = n * inputShape.channels();
      int inPlane = inputShape.height() * inputShape.width();
      int outW = outputShape.width();
      int outH = outputShape.height();
      int width = inputShape.width();
      int o = 0;
      for (int plane = 0; plane < planes; plane++) {
        int base = plane * inPlane;
        for (int oy = 0; oy < outH; oy++) {
          int y0 = windows.rowStart(oy);
          int y1 = windows.rowEnd(oy);
          for (int ox = 0; ox < outW; ox++, o++) {
            int x0 = windows.colStart(ox);
            int x1 = windows.colEnd(ox);
            float g = gradOutput[o] * scale;
            for (int y = y0; y < y1; y++) {
              int row = base + y * width;
              for (int x = x0; x < x1; x++) {
                dx[row + x] += g;
              }
            }
          }
        }
      }
      return dx;
    }
  }
}
