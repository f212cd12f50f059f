package io.spindle.tensor;

/**
 * Stride-1 convolution computed directly, without im2col, for layers with few kernel taps
 * (K = C kh kw): LeNet-5's first layer (K = 25) and the residual network's stem (K = 9). There
 * im2col writes K copies of the input for a product too thin to use the core (conv1 forward:
 * a 5 MB column matrix for 50176 x 25 x 6), and the direct loops run from L1.
 *
 * <p>Layout ("wide", as {@link Im2col#col2imWide}): each example is kept zero-bordered, C
 * planes of Hp x Wp, and outputs are computed on the flat index q = oy * Wp + ox, ox running
 * over the whole padded width. Tap t = (c, ky, kx) of output q then reads the bordered input
 * at q + c Hp Wp + ky Wp + kx: one affine offset per tap, so a convolution is a sum over taps
 * of a shifted vector run times one weight. The outputs at ox >= outW are computed and thrown
 * away (LeNet-5's conv1: 4 of 32 columns).
 *
 * <ul>
 *   <li>forward: out[f][q] = b[f] + sum_t w[f][t] x[q + off(t)];
 *   <li>weight gradient: dW[f][t] += sum_q dOut[f][q] x[q + off(t)], with dOut zero at the
 *       thrown-away q.
 * </ul>
 * Filters and taps are padded to the kernels' register blocks (3 filters x 4 vectors of q,
 * 3 filters x 4 taps); the q range is rounded up to whole blocks. The buffers' sizes below
 * make every load of the rounded ranges land in finite, zeroed memory.
 *
 * <p>Uses the Vector API: only for JVMs that have it ({@link #available()}); a layer falls
 * back to im2col elsewhere. Like {@link Im2col}, an instance keeps scratch and serves one
 * thread at a time.
 */
public final class DirectConv {

  /** Filters per register block of both kernels. */
  static final int FILTER_BLOCK = 3;
  /** Vectors of q per forward block, and taps per weight-gradient block. */
  static final int WIDE_BLOCK = 4;

  private final int channels;
  private final int height;
  private final int width;
  private final int padH;
  private final int padW;
  private final int filters;
  private final int taps;
  private final int outH;
  private final int outW;
  /** The bordered width Wp: the row length of the flat index q. */
  private final int rowLength;
  private final int planeSize;
  /** outH * Wp rounded up to whole forward blocks. */
  private final int wideOutputs;
  /** Floats per example in the bordered-input buffer, load slack included. */
  private final int exampleStride;
  private final int paddedFilters;
  private final int paddedTaps;
  /** Each tap's offset into the bordered example (padded taps repeat offset 0). */
  private final int[] tapOffsets;
  /** The weights as [paddedFilters][taps] and the bias, padded filters zero. */
  private final float[] weights;
  private final float[] bias;
  /** One example's outputs, paddedFilters planes of wideOutputs. */
  private final float[] wideOut;
  /** One example's output gradient in the wide layout (zeros where no output is). */
  private final float[] wideGrad;
  /** Weight-gradient sums, [paddedFilters][paddedTaps]. */
  private final float[] gradSums;

  public DirectConv(Shape input, int filters, int kernelH, int kernelW, int padH, int padW) {
    this.channels = input.channels();
    this.height = input.height();
    this.width = input.width();
    this.padH = padH;
    this.padW = padW;
    this.filters = filters;
    this.taps = channels * kernelH * kernelW;
    int hp = height + 2 * padH;
    this.rowLength = width + 2 * padW;
    this.planeSize = hp * rowLength;
    this.outH = hp - kernelH + 1;
    this.outW = rowLength - kernelW + 1;
    if (outH <= 0 || outW <= 0) {
      throw new IllegalArgumentException("direct convolution: kernel " + kernelH + "x" + kernelW
          + " does not fit input " + input + " with padding " + padH + "x" + padW);
    }
    int block = WIDE_BLOCK * VectorDirectConv.LANES;
    this.wideOutputs = ceil(outH * rowLength, block);
    this.paddedFilters = ceil(filters, FILTER_BLOCK);
    this.paddedTaps = ceil(taps, WIDE_BLOCK);
    this.tapOffsets = new int[paddedTaps];
    int maxOffset = 0;
    for (int c = 0, t = 0; c < channels; c++) {
      for (int ky = 0; ky < kernelH; ky++) {
        for (int kx = 0; kx < kernelW; kx++, t++) {
          tapOffsets[t] = c * planeSize + ky * rowLength + kx;
          maxOffset = Math.max(maxOffset, tapOffsets[t]);
        }
      }
    }
    // Loads reach q + offset for q < wideOutputs; the C planes lie inside that (see above).
    this.exampleStride = wideOutputs + maxOffset;
    this.weights = new float[paddedFilters * taps];
    this.bias = new float[paddedFilters];
    this.wideOut = new float[paddedFilters * wideOutputs];
    this.wideGrad = new float[paddedFilters * wideOutputs];
    this.gradSums = new float[paddedFilters * paddedTaps];
  }

  private static int ceil(int n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }

  /** Whether this JVM can run it (the Vector API module is present). */
  public static boolean available() {
    return Blas.VECTOR_API;
  }

  /** Floats of the bordered-input buffer for n examples ({@link #border}). */
  public long borderedSize(int n) {
    return (long) n * exampleStride;
  }

  /**
   * Copies example j of {@code input} (C x H x W at {@code inOff}) into slot j of the
   * bordered-input buffer. The border and slack are never written, so they stay zero.
   */
  public void border(float[] input, int inOff, float[] bordered, int j) {
    int base = j * exampleStride + padH * rowLength + padW;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        System.arraycopy(input, inOff + (c * height + y) * width, bordered,
            base + c * planeSize + y * rowLength, width);
      }
    }
  }

  /**
   * Takes the weights for the next {@link #forward} calls: [F][K] at {@code wOff} and the bias
   * [F] at {@code bOff}, as a layer's parameters hold them.
   */
  public void loadWeights(float[] params, int wOff, int bOff) {
    System.arraycopy(params, wOff, weights, 0, filters * taps);
    System.arraycopy(params, bOff, bias, 0, filters);
  }

  /**
   * The output of example j (bordered into slot j) into {@code out[outOff..]}, F x outH x outW,
   * with the bias added and, if {@code relu}, rectified.
   */
  public void forward(float[] bordered, int j, boolean relu, float[] out, int outOff) {
    Blas.Meter meter = Blas.meter();
    long cpu = meter == null ? 0 : Blas.threadCpuNanos();
    long wall = meter == null ? 0 : System.nanoTime();
    VectorDirectConv.forward(bordered, j * exampleStride, weights, bias, taps, tapOffsets,
        paddedFilters, wideOutputs, relu, wideOut);
    if (meter != null) {
      meter.add(cpu, wall, 2.0 * filters * taps * outH * outW);
    }
    for (int f = 0; f < filters; f++) {
      for (int oy = 0; oy < outH; oy++) {
        System.arraycopy(wideOut, f * wideOutputs + oy * rowLength, out,
            outOff + (f * outH + oy) * outW, outW);
      }
    }
  }

  /**
   * Adds example j's weight gradient to {@code grads[gOff..]} ([F][K]): its output gradient
   * is F planes of outH x outW in {@code dOut}, plane f at {@code dOutOff + f * planeStride}.
   */
  public void addWeightGradient(float[] bordered, int j, float[] dOut, int dOutOff,
      int planeStride, float[] grads, int gOff) {
    for (int f = 0; f < filters; f++) {
      for (int oy = 0; oy < outH; oy++) {
        System.arraycopy(dOut, dOutOff + f * planeStride + oy * outW, wideGrad,
            f * wideOutputs + oy * rowLength, outW);
      }
    }
    Blas.Meter meter = Blas.meter();
    long cpu = meter == null ? 0 : Blas.threadCpuNanos();
    long wall = meter == null ? 0 : System.nanoTime();
    VectorDirectConv.weightGradient(bordered, j * exampleStride, wideGrad, paddedTaps,
        tapOffsets, paddedFilters, wideOutputs, gradSums);
    if (meter != null) {
      meter.add(cpu, wall, 2.0 * filters * taps * outH * outW);
    }
    for (int f = 0; f < filters; f++) {
      for (int t = 0; t < taps; t++) {
        grads[gOff + f * taps + t] += gradSums[f * paddedTaps + t];
      }
    }
  }
}
