package io.spindle.tensor;

/**
 * The input gradient of a stride-1 convolution as one product per kernel tap over the whole
 * batch, without a column matrix: dx[c][p] = sum over taps t and filters f of
 * w[f][c][t] dOut[f][p - shift(t)]. With the output gradient laid out flat and zero-bordered,
 * every shift is one offset into it, so tap t is an sgemm of the batch's (Q x F) shifted
 * output gradient by that tap's F x C weights, all added into one Q x C result. For the
 * residual network's 3x3 layers this replaces 64 products of 224 x 216 x 24 and col2im's
 * 216 adds per example by 9 products of 14400 x 24 x 24 (24 channels at 14x14).
 *
 * <p>Layout: one row of L = W + padW positions per input row, where the output gradient has
 * its outW values and then kw - 1 - padW zeros (the gap serves as the next row's left border
 * too); one example is H + padH rows, of which the last kh - 1 - padH are zeros; a margin of
 * zeros comes first. The input gradient of position (iy, ix) of example j is then row
 * q = j S + iy L + ix of the result (S = (H + padH) L), and tap (ky, kx) reads the output
 * gradient at q + (padH - ky) L + (padW - kx) from the margin on. The positions with ix >= W
 * or iy >= H are computed and thrown away: {@link #waste} of the product.
 *
 * <p>Like {@link Im2col}, an instance keeps scratch and serves one thread at a time.
 */
public final class ShiftedGradient {

  private final int channels;
  private final int height;
  private final int width;
  private final int filters;
  private final int kernelH;
  private final int kernelW;
  private final int outH;
  private final int outW;
  private final int rowLength;
  private final int exampleStride;
  /** Zeros before the first example: the most negative tap shift. */
  private final int margin;
  /** Zeros after the last example: the most positive tap shift. */
  private final int trailing;
  /** Offset of each tap (c-independent, ky kw + kx order) into the output gradient. */
  private final int[] tapShift;
  /** The output gradient, flat and bordered: F planes of {@link #planeLength} floats. */
  private float[] bordered = new float[0];
  private int planeLength;
  /** The weights per tap as F x C column-major matrices. */
  private final float[] tapWeights;
  /** The product's result, C columns of Q rows. */
  private float[] result = new float[0];

  public ShiftedGradient(Shape input, int filters, int kernelH, int kernelW, int padH,
      int padW) {
    if (!fits(kernelH, kernelW, padH, padW)) {
      throw new IllegalArgumentException("shifted input gradient: padding " + padH + "x" + padW
          + " must be below kernel " + kernelH + "x" + kernelW);
    }
    this.channels = input.channels();
    this.height = input.height();
    this.width = input.width();
    this.filters = filters;
    this.kernelH = kernelH;
    this.kernelW = kernelW;
    this.outH = Im2col.outSize(height, kernelH, 1, padH);
    this.outW = Im2col.outSize(width, kernelW, 1, padW);
    this.rowLength = width + padW;
    this.exampleStride = (height + padH) * rowLength;
    this.margin = (kernelH - 1 - padH) * rowLength + (kernelW - 1 - padW);
    this.trailing = padH * rowLength + padW;
    this.tapShift = new int[kernelH * kernelW];
    for (int ky = 0; ky < kernelH; ky++) {
      for (int kx = 0; kx < kernelW; kx++) {
        tapShift[ky * kernelW + kx] = margin + (padH - ky) * rowLength + (padW - kx);
      }
    }
    // One spare column: netlib's bounds check of the last tap's matrix.
    this.tapWeights = new float[(kernelH * kernelW * channels + 1) * filters];
  }

  /** Whether the layout exists: padding below the kernel on both axes ("same" or less). */
  public static boolean fits(int kernelH, int kernelW, int padH, int padW) {
    return padH < kernelH && padW < kernelW;
  }

  /** Rows of the product per output pixel: (H + padH)(W + padW) / (outH outW). */
  public static double waste(Shape input, int kernelH, int kernelW, int padH, int padW) {
    double rows = (double) (input.height() + padH) * (input.width() + padW);
    return rows / ((double) Im2col.outSize(input.height(), kernelH, 1, padH)
        * Im2col.outSize(input.width(), kernelW, 1, padW));
  }

  /**
   * Overwrites dx (n examples, C x H x W each) with the input gradient, from the output
   * gradient in pixel-major order (F columns of {@code rows} = n outH outW, as Conv2D keeps
   * it) and the weights at {@code weights[wOff ..]} ([f][c][ky][kx]).
   */
  public void inputGradient(float[] pixelMajor, int rows, float[] weights, int wOff, int n,
      float[] dx) {
    int q = n * exampleStride;
    if (margin + q + trailing > planeLength) {
      // Sized for the largest batch so far: example j's positions do not depend on n, and the
      // borders and gaps, never written, stay zero. After a larger batch the examples past n
      // hold stale values, which only the thrown-away positions of the last example read.
      planeLength = margin + q + trailing;
      bordered = new float[(filters + 1) * planeLength];
    }
    int plane = planeLength;
    for (int f = 0; f < filters; f++) {
      int src = f * rows;
      for (int j = 0; j < n; j++) {
        int dst = f * plane + margin + j * exampleStride;
        for (int oy = 0; oy < outH; oy++, src += outW, dst += rowLength) {
          System.arraycopy(pixelMajor, src, bordered, dst, outW);
        }
      }
    }
    int taps = kernelH * kernelW;
    int k = channels * taps;
    for (int t = 0; t < taps; t++) {
      int base = t * filters * channels;
      for (int c = 0; c < channels; c++) {
        for (int f = 0; f < filters; f++) {
          tapWeights[base + c * filters + f] = weights[wOff + f * k + c * taps + t];
        }
      }
    }
    if (result.length < (long) (channels + 1) * q) {
      result = new float[(channels + 1) * q];
    }
    for (int t = 0; t < taps; t++) {
      Blas.sgemm(false, false, q, channels, filters, 1f, bordered, tapShift[t], plane,
          tapWeights, t * filters * channels, filters, t == 0 ? 0f : 1f, result, 0, q);
    }
    int inSize = channels * height * width;
    for (int j = 0; j < n; j++) {
      for (int c = 0; c < channels; c++) {
        int src = c * q + j * exampleStride;
        int dst = j * inSize + c * height * width;
        for (int iy = 0; iy < height; iy++, src += rowLength, dst += width) {
          System.arraycopy(result, src, dx, dst, width);
        }
      }
    }
  }
}
