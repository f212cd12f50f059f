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
 *
 * <p>An instance keeps a small scratch image for padded geometries, so, like a layer, it
 * serves one thread at a time.
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
  /** The current example with its zero border, when there is padding (borders stay zero). */
  private float[] padded;
  /** The gradient of the zero-bordered image, for {@link #col2imWide} with padding. */
  private float[] paddedGrad;
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

  /** Output size along one dimension: (in - k + 2p) / s + 1, floored; 0 if k does not fit. */
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
    float[] src = input;
    int srcOff = inOff;
    int srcH = height;
    int srcW = width;
    if (padH > 0 || padW > 0) {
      // Copy the example into a zero-bordered image once; then every tap is a plain copy,
      // without per-row padding checks (1.7x faster on LeNet's conv1).
      srcH = height + 2 * padH;
      srcW = width + 2 * padW;
      if (padded == null) {
        padded = new float[channels * srcH * srcW];
      }
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < height; y++) {
          System.arraycopy(input, inOff + (c * height + y) * width, padded,
              (c * srcH + y + padH) * srcW + padW, width);
        }
      }
      src = padded;
      srcOff = 0;
    }
    int k = 0;
    // Runs shorter than a vector (LeNet-5's conv2: 10 floats, 96,000 per batch) go as one
    // vector load and store (Loops.copyRun) where the whole vector stays inside the source and
    // inside this example's rows of the column: its tail lands on the next run, which then
    // overwrites it. System.arraycopy's call costs more than such a run.
    int run = Loops.copyRunLength();
    boolean shortRuns = strideW == 1 && outW <= run;
    int srcEnd = src.length;
    for (int c = 0; c < channels; c++) {
      int plane = srcOff + c * srcH * srcW;
      for (int ky = 0; ky < kernelH; ky++) {
        for (int kx = 0; kx < kernelW; kx++, k++) {
          int dst = colOff + k * ld;
          int from = plane + ky * srcW + kx;
          int oy = 0;
          if (shortRuns) {
            // The rows whose vector stays inside the example's rows and the source, in one
            // loop without tests (C2 then hoists the vectors' bounds checks).
            int vectorRows = Math.min(outH, Math.min(Math.floorDiv(outH * outW - run, outW),
                Math.floorDiv(srcEnd - run - from, strideH * srcW)) + 1);
            oy = Loops.copyRuns(src, from, strideH * srcW, col, dst, outW, vectorRows);
            dst += oy * outW;
            from += oy * strideH * srcW;
          }
          for (; oy < outH; oy++, dst += outW, from += strideH * srcW) {
            if (strideW == 1) {
              System.arraycopy(src, from, col, dst, outW);
            } else {
              for (int ox = 0; ox < outW; ox++) {
                col[dst + ox] = src[from + ox * strideW];
              }
            }
          }
        }
      }
    }
  }

  /**
   * Whether the wide layout of {@link #col2imWide} applies: stride 1 in both directions.
   *
   * <p>In the wide layout a column matrix has one row per position q = oy * Wp + ox of the
   * padded input's rows (Wp = W + 2 padW), of which only ox < outW are output pixels; the
   * other rows are zero. Each tap's column then lands on the (padded) input as one contiguous
   * run, so col2im is a few long vector adds instead of C kh kw outH short ones (LeNet-5's
   * conv2: 10-float runs; col2im of a batch of 64 took 0.95 ms, 0.19 wide).
   */
  public boolean hasWideLayout() {
    return strideH == 1 && strideW == 1;
  }

  /** Row length Wp of the wide layout: the padded input's width. */
  public int wideRowLength() {
    return width + 2 * padW;
  }

  /** Rows of the wide layout: outH rows of {@link #wideRowLength} positions. */
  public int wideRows() {
    return outH * wideRowLength();
  }

  /**
   * {@link #col2im} for a column matrix in the wide layout (see {@link #hasWideLayout}):
   * entry (q, k) at {@code colOff + q + k * ld} for q = oy * Wp + ox, zero where ox >= outW.
   * Overwrites {@code gradInput[inOff .. inOff + C*H*W)}.
   */
  public void col2imWide(float[] col, int colOff, int ld, float[] gradInput, int inOff) {
    if (!hasWideLayout()) {
      throw new IllegalStateException("col2imWide needs stride 1, got " + strideH + "x" + strideW);
    }
    int wp = wideRowLength();
    int hp = height + 2 * padH;
    boolean pad = padH > 0 || padW > 0;
    float[] dst = gradInput;
    int base = inOff;
    if (pad) {
      if (paddedGrad == null) {
        paddedGrad = new float[channels * hp * wp];
      }
      dst = paddedGrad;
      base = 0;
    }
    Arrays.fill(dst, base, base + channels * hp * wp, 0f);
    // Tap (c, ky, kx) adds its column at (ky, kx) of plane c; the zero rows (ox >= outW) land
    // on the next row's first kernelW - 1 positions and add nothing. The run ends at the last
    // output pixel, inside the padded plane.
    int run = (outH - 1) * wp + outW;
    int k = 0;
    for (int c = 0; c < channels; c++) {
      int plane = base + c * hp * wp;
      for (int ky = 0; ky < kernelH; ky++) {
        for (int kx = 0; kx < kernelW; kx++, k++) {
          Loops.addInto(col, colOff + k * ld, dst, plane + ky * wp + kx, run);
        }
      }
    }
    if (pad) {
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < height; y++) {
          System.arraycopy(paddedGrad, (c * hp + y + padH) * wp + padW, gradInput,
              inOff + (c * height + y) * width, width);
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
    // Row by row of the image: the kernelW runs that land on one input row are added while
    // that row is in L1 (25% faster than column by column on LeNet's conv2).
    for (int c = 0; c < channels; c++) {
      int plane = inOff + c * height * width;
      for (int ky = 0; ky < kernelH; ky++) {
        int k0 = (c * kernelH + ky) * kernelW;
        for (int oy = 0; oy < outH; oy++) {
          int iy = oy * strideH - padH + ky;
          if (iy < 0 || iy >= height) {
            continue;
          }
          int row = plane + iy * width - padW;
          for (int kx = 0; kx < kernelW; kx++) {
            int x0 = oxStart[kx];
            int x1 = oxEnd[kx];
            int src = colOff + (k0 + kx) * ld + oy * outW;
            int dst = row + kx;
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
