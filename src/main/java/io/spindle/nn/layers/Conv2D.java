package io.spindle.nn.layers;

import io.spindle.nn.Init;
import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * 2-D convolution (cross-correlation, as in every framework) with bias, any number of input
 * and output channels, a kh x kw kernel, stride and zero padding:
 * out = (in - k + 2p) / s + 1 per dimension (floored).
 *
 * <p>Parameters: weights [filters][channels][kh][kw], then bias [filters].
 */
public record Conv2D(int filters, int kernelH, int kernelW, int strideH, int strideW,
    int padH, int padW, Init init) implements LayerSpec {

  public Conv2D {
    if (filters <= 0 || kernelH <= 0 || kernelW <= 0) {
      throw new IllegalArgumentException("conv2d: filters and kernel must be positive, got filters="
          + filters + " kernel=" + kernelH + "x" + kernelW);
    }
    if (strideH <= 0 || strideW <= 0 || padH < 0 || padW < 0) {
      throw new IllegalArgumentException("conv2d: stride must be positive and padding non-negative, got stride="
          + strideH + "x" + strideW + " padding=" + padH + "x" + padW);
    }
  }

  public Conv2D(int filters, int kernel) {
    this(filters, kernel, kernel, 1, 1, 0, 0, Init.HE_UNIFORM);
  }

  public Conv2D withStride(int sh, int sw) {
    return new Conv2D(filters, kernelH, kernelW, sh, sw, padH, padW, init);
  }

  public Conv2D withPadding(int ph, int pw) {
    return new Conv2D(filters, kernelH, kernelW, strideH, strideW, ph, pw, init);
  }

  public Conv2D withInit(Init i) {
    return new Conv2D(filters, kernelH, kernelW, strideH, strideW, padH, padW, i);
  }

  @Override
  public String kind() {
    return "conv2d";
  }

  @Override
  public Shape outputShape(Shape in) {
    int oh = outSize(in.height(), kernelH, strideH, padH);
    int ow = outSize(in.width(), kernelW, strideW, padW);
    if (oh <= 0 || ow <= 0) {
      throw new IllegalArgumentException("conv2d: kernel " + kernelH + "x" + kernelW
          + " with padding " + padH + "x" + padW + " does not fit input " + in
          + "; use a smaller kernel, more padding, or drop a pooling layer before it");
    }
    return Shape.of(filters, oh, ow);
  }

  static int outSize(int in, int k, int s, int p) {
    int span = in - k + 2 * p;
    return span < 0 ? 0 : span / s + 1;
  }

  @Override
  public int paramCount(Shape in) {
    return Math.addExact(Math.multiplyExact(filters, in.channels() * kernelH * kernelW), filters);
  }

  @Override
  public void initParams(Shape in, float[] params, int offset, SplittableRandom rng) {
    int fanIn = in.channels() * kernelH * kernelW;
    int fanOut = filters * kernelH * kernelW;
    init.fill(params, offset, filters * fanIn, fanIn, fanOut, rng);
    java.util.Arrays.fill(params, offset + filters * fanIn, offset + filters * fanIn + filters, 0f);
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    throw new UnsupportedOperationException("conv2d kernels: in progress");
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("filters", filters);
    c.put("kernel", java.util.List.of(kernelH, kernelW));
    c.put("stride", java.util.List.of(strideH, strideW));
    c.put("padding", java.util.List.of(padH, padW));
    c.put("init", init.configName());
    return c;
  }
}
