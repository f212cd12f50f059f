package io.spindle.nn.layers;

import io.spindle.tensor.Shape;

/** Shape rules shared by the pooling layers. */
final class PoolGeometry {

  private PoolGeometry() {}

  static void validate(String kind, int sh, int sw, int strideH, int strideW, int padH, int padW) {
    if (sh <= 0 || sw <= 0 || strideH <= 0 || strideW <= 0) {
      throw new IllegalArgumentException(kind + ": size and stride must be positive, got size="
          + sh + "x" + sw + " stride=" + strideH + "x" + strideW);
    }
    // As in PyTorch: a window never lies entirely in the padding.
    if (padH < 0 || padW < 0 || padH > sh / 2 || padW > sw / 2) {
      throw new IllegalArgumentException(kind + ": padding must be between 0 and half the window, got padding="
          + padH + "x" + padW + " for size " + sh + "x" + sw);
    }
  }

  static Shape outputShape(String kind, Shape in, int sh, int sw, int strideH, int strideW,
      int padH, int padW) {
    int oh = Conv2D.outSize(in.height(), sh, strideH, padH);
    int ow = Conv2D.outSize(in.width(), sw, strideW, padW);
    if (oh <= 0 || ow <= 0) {
      throw new IllegalArgumentException(kind + ": window " + sh + "x" + sw
          + " does not fit input " + in + "; use a smaller window or remove this layer");
    }
    return Shape.of(in.channels(), oh, ow);
  }
}
