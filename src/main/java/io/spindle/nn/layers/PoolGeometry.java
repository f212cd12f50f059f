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

  /**
   * The window of every output row and column clipped to the image: output (oy, ox) covers
   * input rows [rowStart(oy), rowEnd(oy)) and columns [colStart(ox), colEnd(ox)). Precomputed
   * once, so the pooling loops do no padding arithmetic.
   */
  static final class Windows {
    private final int[] rows;
    private final int[] cols;

    Windows(Shape in, Shape out, int sh, int sw, int strideH, int strideW, int padH, int padW) {
      this.rows = clip(out.height(), in.height(), sh, strideH, padH);
      this.cols = clip(out.width(), in.width(), sw, strideW, padW);
    }

    private static int[] clip(int outSize, int inSize, int size, int stride, int pad) {
      int[] bounds = new int[2 * outSize];
      for (int o = 0; o < outSize; o++) {
        int start = o * stride - pad;
        bounds[2 * o] = Math.max(0, start);
        bounds[2 * o + 1] = Math.min(inSize, start + size);
        if (bounds[2 * o] >= bounds[2 * o + 1]) {
          // The shape rules (padding <= size / 2) keep every window on the image.
          throw new IllegalStateException("pooling window " + o + " lies entirely in the padding");
        }
      }
      return bounds;
    }

    int rowStart(int oy) {
      return rows[2 * oy];
    }

    int rowEnd(int oy) {
      return rows[2 * oy + 1];
    }

    int colStart(int ox) {
      return cols[2 * ox];
    }

    int colEnd(int ox) {
      return cols[2 * ox + 1];
    }
  }
}
