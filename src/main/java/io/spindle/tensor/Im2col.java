package io.spindle.tensor;

import java.util.Arrays;

/**
 * im2col and col2im for one convolution geometry: they turn a 2-D convolution into a matrix
 * product. For one example of shape C x H x W, the column matrix has one row per output pixel
 * p = oy * outW + ox (P = outH * outW rows) and one column per kernel tap
 * k = (c * kernelH + ky) * kernelW + kx (K = C * kernelH * kernelW columns): entry (p, k) is the
 * input pixel that tap k sees at output p, or 0 where the window lies in the zero padding.
 *
 * <p>The matrix is column-major with a caller-chosen leading dimension {@code ld >= P}: entry
 * (p, k) sits at {@code colOff + p + k * ld}. With {@code ld = P} that is one example's matrix;
 * with {@code ld = n * P} and {@code colOff = j * P} the n examples of a batch stack into one
 * (n P) x K matrix, so a whole batch can go through a single sgemm. Each column is written as
 * runs of contiguous output pixels, which for stride 1 are plain array copies.
 */
public final class Im2col {

  private final int channels;
  private final int height;
  private final int width;
  private final int kernelH;
  private final int kernelW;
  private final int strideH;
  private final int strideW;
  private final int padH;
  private final int padW;
  private final int outH;
  private final int outW;
  /** For each kx, the first and one-past-last ox whose input column lies inside the image. */
  private final int[] oxStart;
  private final int[] oxEnd;

  public Im2col(Shape input, int kernelH, int kernelW, int strideH, int strideW, int padH,
      int padW) {
    if (kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0 || padH < 0 || padW < 0) {
      throw new IllegalArgumentException("im2col: kernel and stride must be positive and padding"
          + " non-negative, got kernel=" + kernelH + "x" + kernelW + " stride=" + strideH + "x"
          + strideW + " padding=" + padH + "x" + padW);
    }
    this.channels = input.channels();
    this.height = input.height();
    this.width = input.width();
    this.kernelH = kernelH;
    this.kernelW = kernelW;
    this.strideH = strideH;
    this.strideW = strideW;
    this.padH = padH;
    this.padW = padW;
    this.outH = outSize(height, kernelH, strideH, padH);
    this.outW = outSize(width, kernelW, strideW, padW);
    if (outH <= 0 || outW <= 0) {
      throw new IllegalArgumentException("im2col: kernel " + kernelH + "x" + kernelW
          + " with padding " + padH + "x" + padW + " does not fit input " + input);
    }
    this.oxStart = new int[kernelW];
    this.oxEnd = new int[kernelW];
    for (int kx = 0; kx < kernelW; kx++) {
      // ix = ox * strideW - padW + kx must lie in [0, width).
      oxStart[kx] = Math.min(outW, ceilDiv(Math.max(0, padW - kx), strideW));
      oxEnd[kx] = Math.max(oxStart[kx], Math.min(outW, ceilDiv(width + padW - kx, strideW)));
    }
  }

  /** Output size along one dimension: (in - k + 2p) / s + 1, floored; 0 if the kernel does not fit. */
  public static int outSize(int in, int k, int s, int p) {
    int span = in - k + 2 * p;
    return span < 0 ? 0 : span / s + 1;
  }

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }

  /** Output pixels per example (rows of the column matrix). */
  public int rows() {
    return outH * outW;
  }

  /** Kernel taps (columns of the column matrix): C * kernelH * kernelW. */
  public int cols() {
    return channels * kernelH * kernelW;
  }

  public int outHeight() {
    return outH;
  }

  public int outWidth() {
    return outW;
  }

  /**
   * Writes the column matrix of the example at {@code input[inOff..]} (C x H x W) into
   * {@code col}, entry (p, k) at {@code colOff + p + k * ld}.
   */
  public void im2col(float[] input, int inOff, float[] col, int colOff, int ld) {
    int k = 0;
    for (int c = 0; c < channels; c++) {
      int plane = inOff + c * height * width;
      for (int ky = 0; ky < kernelH; ky++) {
        for (int kx = 0; kx < kernelW; kx++, k++) {
          int x0 = oxStart[kx];
          int x1 = oxEnd[kx];
          int ixBase = kx - padW;
          int dst = colOff + k * ld;
          for (int oy = 0; oy < outH; oy++, dst += outW) {
            int iy = oy * strideH - padH + ky;
            if (iy < 0 || iy >= height) {
              Arrays.fill(col, dst, dst + outW, 0f);
              continue;
            }
            if (x0 > 0) {
              Arrays.fill(col, dst, dst + x0, 0f);
            }
            int src = plane + iy * width + ixBase;
            if (strideW == 1) {
              System.arraycopy(input, src + x0, col, dst + x0, x1 - x0);
            } else {
              for (int ox = x0; ox < x1; ox++) {
                col[dst + ox] = input[src + ox * strideW];
              }
            }
            if (x1 < outW) {
              Arrays.fill(col, dst + x1, dst + outW, 0f);
            }
          }
        }
      }
    }
  }

  /**
   * The adjoint of {@link #im2col}: adds every entry of the column matrix back onto the input
   * pixel it was copied from, so overlapping windows sum. Overwrites
   * {@code gradInput[inOff .. inOff + C*H*W)} (padding entries are dropped).
   */
  public void col2im(float[] col, int colOff, int ld, float[] gradInput, int inOff) {
    Arrays.fill(gradInput, inOff, inOff + channels * height * width, 0f);
    int k = 0;
    for (int c = 0; c < channels; c++) {
      int plane = inOff + c * height * width;
      for (int ky = 0; ky < kernelH; ky++) {
        for (int kx = 0; kx < kernelW; kx++, k++) {
          int x0 = oxStart[kx];
          int x1 = oxEnd[kx];
          int ixBase = kx - padW;
          int src = colOff + k * ld;
          for (int oy = 0; oy < outH; oy++, src += outW) {
            int iy = oy * strideH - padH + ky;
            if (iy < 0 || iy >= height) {
              continue;
            }
            int dst = plane + iy * width + ixBase;
            if (strideW == 1) {
              for (int ox = x0; ox < x1; ox++) {
                gradInput[dst + ox] += col[src + ox];
              }
            } else {
              for (int ox = x0; ox < x1; ox++) {
                gradInput[dst + ox * strideW] += col[src + ox];
              }
            }
          }
        }
      }
    }
  }
}
