package io.spindle.tensor;

import java.util.Arrays;

/**
 * A stride-1 convolution as products over shifted views of zero-bordered planes, without a
 * column matrix. With a plane laid out flat and bordered, moving a kernel tap by one row or
 * column is moving an offset, so:
 * <ul>
 *   <li><b>forward</b>: out[f][q] = sum over channels c and taps t of w[f][c][t]
 *       x[c][q + shift(t)], one product whose k = C kh kw "columns" are offsets into the
 *       bordered input ({@link Blas#sgemmColumns}). im2col instead wrote kh kw copies of the
 *       input (10.8 MB per batch of 64 for the residual network's 24-channel 14x14 layer) for
 *       the product to read back;
 *   <li><b>weight gradient</b>: dW = A^T dOut over the Q positions, A's columns the forward's
 *       offsets into the bordered input ({@link Blas#sgemmTNColumns}), one product for all
 *       taps;
 *   <li><b>input gradient</b>: dx[c][p] = sum over taps t and filters f of
 *       w[f][c][t] dOut[f][p - shift(t)]: one product whose kh kw F columns are offsets into
 *       the bordered output gradient (residual network, one thread: 1.4-1.8 -> 0.9-1.5 ms per
 *       layer and batch of 64 against the per-tap products below).
 * </ul>
 * All three run NarrowGemm's Vector-API kernels, for the layers whose filter count the
 * routing table sends here ({@link #routed}). The other stride-1 layers keep im2col +
 * the BLAS for forward and weight gradient, and take only the input gradient from here, as one
 * routed product per tap of the batch's (Q x F) shifted output gradient by that tap's F x C
 * weights, all added into one Q x C result. Either input gradient replaced, for the residual
 * network's 3x3 layers, 64 products of 224 x 216 x 24 and col2im's 216 adds per example.
 *
 * <p>Layout: one row of L = W + padW positions per image row, the W values and then padW
 * zeros (the gap serves as the next row's left border too); one example is H + padH rows, of
 * which the last padH are zeros (the next example's top border), S = (H + padH) L positions.
 * Output pixel (oy, ox) of example j is position q = j S + oy L + ox of every plane here:
 * of the forward's result, of the bordered output gradient and of the input gradient's
 * result; the positions with ox >= outW or oy >= outH are computed and thrown away
 * ({@link #waste}). The bordered input holds pixel (iy, ix) at q = j S + iy L + ix after a
 * margin of padH L + padW zeros, and the output gradient after a margin of
 * (kh - 1 - padH) L + (kw - 1 - padW), so every tap's shift is a non-negative offset.
 *
 * <p>Like {@link Im2col}, an instance keeps scratch and serves one thread at a time.
 */
public final class ShiftedConv {

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
  /** Kernel taps K = C kh kw, in the weights' [f][c][ky][kx] order. */
  private final int taps;

  /** Zeros before the bordered input's first example: padH rows and padW columns. */
  private final int inMargin;
  /** The input, flat and bordered (C planes of {@link #inPlane}), kept for the weight gradient. */
  private float[] input = new float[0];
  private int inPlane;
  /** Examples whose positions {@link #input} holds (beyond them it is zero). */
  private int inExamples;
  /** Offset of tap (c, ky, kx) of the forward product into {@link #input}. */
  private int[] columnOffsets = new int[0];
  /** The forward product's result: F columns of the rounded-up Q rows. */
  private float[] forwardResult = new float[0];

  /** Zeros before the output gradient's first example: the most negative tap shift. */
  private final int margin;
  /** Zeros after the last example: the most positive tap shift. */
  private final int trailing;
  /** Offset of each tap (c-independent, ky kw + kx order) into the output gradient. */
  private final int[] tapShift;
  /** The output gradient, flat and bordered: F planes of {@link #planeLength} floats. */
  private float[] bordered = new float[0];
  private int planeLength;
  /** Examples whose positions {@link #bordered} holds (beyond them it is zero). */
  private int borderedExamples;
  /** Offset of column (t, f) of the one-product input gradient into {@link #bordered}. */
  private final int[] tapColumns;
  /** The weights per tap as F x C column-major matrices (or, one product, a K x C one). */
  private final float[] tapWeights;
  /** The input-gradient product's result, C columns of Q rows. */
  private float[] result = new float[0];

  public ShiftedConv(Shape input, int filters, int kernelH, int kernelW, int padH,
      int padW) {
    if (!fits(kernelH, kernelW, padH, padW)) {
      throw new IllegalArgumentException("shifted convolution: padding " + padH + "x" + padW
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
    this.taps = channels * kernelH * kernelW;
    this.inMargin = padH * rowLength + padW;
    this.margin = (kernelH - 1 - padH) * rowLength + (kernelW - 1 - padW);
    this.trailing = padH * rowLength + padW;
    this.tapShift = new int[kernelH * kernelW];
    for (int ky = 0; ky < kernelH; ky++) {
      for (int kx = 0; kx < kernelW; kx++) {
        tapShift[ky * kernelW + kx] = margin + (padH - ky) * rowLength + (padW - kx);
      }
    }
    this.tapColumns = new int[kernelH * kernelW * filters];
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
   * The n S positions of n examples rounded up to whole blocks of {@link Blas#sgemmColumns}
   * (0 without the Vector API, which has no such product).
   */
  private int roundedRows(int n) {
    if (!Blas.VECTOR_API) {
      return 0;
    }
    int unit = Blas.columnRowUnit();
    return (n * exampleStride + unit - 1) / unit * unit;
  }

  /**
   * Whether this layer runs over shifted views: where the routing table says so for its
   * filter count ({@link Blas#shiftedConvolution}, measured on whole layers against im2col +
   * the BLAS). Then {@link #forward}, {@link #addWeightGradient} and the one-product
   * {@link #inputGradient} run NarrowGemm's offset kernels; else the layer keeps im2col +
   * sgemm, and only its input gradient comes here, as one routed product per tap.
   */
  public boolean routed() {
    return Blas.shiftedConvolution(filters);
  }

  /**
   * The forward of n examples ({@code x}: C x H x W each) into {@code out} (F x outH x outW
   * each), with the weights [f][c][ky][kx] at {@code weights[wOff..]}, the bias at
   * {@code weights[bOff..]} and, if {@code relu}, rectified. Keeps the bordered input for
   * {@link #addWeightGradient}. Only where {@link #routed} holds.
   */
  public void forward(float[] x, int n, float[] weights, int wOff, int bOff, boolean relu,
      float[] out) {
    int rows = roundedRows(n);
    // The last tap reads (kh - 1) L + kw - 1 past a row; rows past n S are thrown away.
    int plane = rows + (kernelH - 1) * rowLength + kernelW - 1;
    if (plane > inPlane) {
      inPlane = plane;
      // One spare plane: netlib's bounds check of the weight gradient's shifted matrices.
      input = allocate((long) (channels + 1) * plane);
      inExamples = 0;
      columnOffsets = new int[taps];
      for (int c = 0, t = 0; c < channels; c++) {
        for (int ky = 0; ky < kernelH; ky++) {
          for (int kx = 0; kx < kernelW; kx++, t++) {
            columnOffsets[t] = c * plane + ky * rowLength + kx;
          }
        }
      }
    }
    if (n < inExamples) {
      // A smaller batch: the examples past n would feed the thrown-away positions only, but
      // the weight gradient multiplies them by zeros, and stale NaNs must not survive that.
      for (int c = 0; c < channels; c++) {
        int from = c * inPlane + inMargin + n * exampleStride;
        Arrays.fill(input, from, (c + 1) * inPlane, 0f);
      }
    }
    inExamples = n;
    int inSize = channels * height * width;
    for (int j = 0; j < n; j++) {
      for (int c = 0; c < channels; c++) {
        int src = j * inSize + c * height * width;
        int dst = c * inPlane + inMargin + j * exampleStride;
        for (int iy = 0; iy < height; iy++, src += width, dst += rowLength) {
          System.arraycopy(x, src, input, dst, width);
        }
      }
    }
    if (forwardResult.length < (long) filters * rows) {
      forwardResult = allocate((long) filters * rows);
    }
    Blas.sgemmColumns(rows, filters, taps, input, 0, columnOffsets, weights, wOff, 1, taps,
        forwardResult, 0, rows);
    int pixels = outH * outW;
    for (int j = 0; j < n; j++) {
      for (int f = 0; f < filters; f++) {
        float b = weights[bOff + f];
        int src = f * rows + j * exampleStride;
        int dst = (j * filters + f) * pixels;
        for (int oy = 0; oy < outH; oy++, src += rowLength, dst += outW) {
          Loops.addBias(forwardResult, src, out, dst, outW, b, relu);
        }
      }
    }
  }

  /**
   * Takes the output gradient of n examples, in pixel-major order (F columns of
   * {@code rows} = n outH outW, as Conv2D keeps it), into the bordered layout that
   * {@link #addWeightGradient} and {@link #inputGradient} read.
   */
  public void borderOutputGradient(float[] pixelMajor, int rows, int n) {
    int q = n * exampleStride;
    // Room for the one-product input gradient's rows, rounded up (see roundedRows).
    int length = margin + Math.max(q, roundedRows(n)) + trailing;
    if (length > planeLength) {
      // Sized for the largest batch so far: example j's positions do not depend on n, and the
      // borders and gaps, never written, stay zero.
      planeLength = length;
      bordered = allocate((long) (filters + 1) * planeLength);
      borderedExamples = 0;
    }
    int plane = planeLength;
    if (n < borderedExamples) {
      // The weight gradient reads positions up to n S: what is past them must be zero.
      for (int f = 0; f < filters; f++) {
        Arrays.fill(bordered, f * plane + margin + q, (f + 1) * plane, 0f);
      }
    }
    borderedExamples = n;
    for (int f = 0; f < filters; f++) {
      int src = f * rows;
      for (int j = 0; j < n; j++) {
        int dst = f * plane + margin + j * exampleStride;
        for (int oy = 0; oy < outH; oy++, src += outW, dst += rowLength) {
          System.arraycopy(pixelMajor, src, bordered, dst, outW);
        }
      }
    }
  }

  /**
   * Adds the weight gradient of the last {@link #forward}'s n examples to
   * {@code grads[gOff..]} ([f][c][ky][kx]), from the output gradient that
   * {@link #borderOutputGradient} took: per tap, the input planes shifted by the tap (one
   * column per channel) transposed times the output gradient, over the n S positions, where
   * the thrown-away ones hold zero gradient.
   */
  public void addWeightGradient(int n, float[] grads, int gOff) {
    if (n != inExamples || n != borderedExamples) {
      throw new IllegalStateException("weight gradient of " + n + " examples after a forward of "
          + inExamples + " and an output gradient of " + borderedExamples);
    }
    int q = n * exampleStride;
    // All taps in one product, added straight into the gradient: its [f][c][ky][kx] order
    // is the product's K x F column-major result, and the offsets are the forward's.
    Blas.sgemmTNColumns(taps, filters, q, input, columnOffsets, bordered, margin, planeLength,
        grads, gOff, taps);
  }

  /**
   * Overwrites dx (n examples, C x H x W each) with the input gradient, from the output
   * gradient that {@link #borderOutputGradient} took and the weights at
   * {@code weights[wOff ..]} ([f][c][ky][kx]).
   */
  public void inputGradient(float[] weights, int wOff, int n, float[] dx) {
    int q = n * exampleStride;
    int plane = planeLength;
    int kernelTaps = kernelH * kernelW;
    int inner = kernelTaps * filters;
    if (Blas.shiftedConvolution(filters)) {
      // One product over all taps: column (t, f) of the shifted output gradient is plane f at
      // tap t's shift, and the result is written once instead of added to nine times.
      for (int t = 0; t < kernelTaps; t++) {
        for (int c = 0; c < channels; c++) {
          for (int f = 0; f < filters; f++) {
            tapWeights[c * inner + t * filters + f] =
                weights[wOff + f * taps + c * kernelTaps + t];
          }
        }
        for (int f = 0; f < filters; f++) {
          tapColumns[t * filters + f] = f * plane + tapShift[t];
        }
      }
      int rows = roundedRows(n);
      if (result.length < (long) channels * rows) {
        result = allocate((long) channels * rows);
      }
      Blas.sgemmColumns(rows, channels, inner, bordered, 0, tapColumns, tapWeights, 0, 1, inner,
          result, 0, rows);
      extractInputGradient(rows, n, dx);
      return;
    }
    for (int t = 0; t < kernelTaps; t++) {
      int base = t * filters * channels;
      for (int c = 0; c < channels; c++) {
        for (int f = 0; f < filters; f++) {
          tapWeights[base + c * filters + f] = weights[wOff + f * taps + c * kernelTaps + t];
        }
      }
    }
    if (result.length < (long) (channels + 1) * q) {
      result = allocate((long) (channels + 1) * q);
    }
    for (int t = 0; t < kernelTaps; t++) {
      Blas.sgemm(false, false, q, channels, filters, 1f, bordered, tapShift[t], plane,
          tapWeights, t * filters * channels, filters, t == 0 ? 0f : 1f, result, 0, q);
    }
    extractInputGradient(q, n, dx);
  }

  /** The input pixels' rows of the input-gradient product (C columns of {@code rows}) into dx. */
  private void extractInputGradient(int rows, int n, float[] dx) {
    int inSize = channels * height * width;
    for (int j = 0; j < n; j++) {
      for (int c = 0; c < channels; c++) {
        int src = c * rows + j * exampleStride;
        int dst = j * inSize + c * height * width;
        for (int iy = 0; iy < height; iy++, src += rowLength, dst += width) {
          System.arraycopy(result, src, dx, dst, width);
        }
      }
    }
  }

  /** A batch-sized scratch buffer, or a clear error where the batch is too large for one. */
  private static float[] allocate(long size) {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("convolution buffer of " + size
          + " floats is too large; use a smaller batch");
    }
    return new float[(int) size];
  }
}
