package io.spindle.nn.layers;

import io.spindle.nn.Init;
import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Blas;
import io.spindle.tensor.DirectConv;
import io.spindle.tensor.Im2col;
import io.spindle.tensor.Loops;
import io.spindle.tensor.Shape;
import io.spindle.tensor.ShiftedConv;
import java.util.Arrays;
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
    return Im2col.outSize(in, k, s, p);
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
    Arrays.fill(params, offset + filters * fanIn, offset + filters * fanIn + filters, 0f);
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return new Instance(this, input, outputShape(input), paramOffset);
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

  /**
   * Conv2D by im2col + sgemm, or by products over shifted views or a direct convolution for
   * stride-1 layers (below). For a batch of n examples with P output pixels each, K = C kh kw
   * kernel taps and F filters (weights W^T are a column-major K x F matrix):
   * <ul>
   *   <li>forward: col = im2col(x), an (n P) x K pixel-major matrix for the whole batch, kept
   *       for backward; out = col W^T + b;
   *   <li>backward: dW^T += col^T dOut (one sgemm over all n P pixels), db += sums of dOut,
   *       dx = col2im(dOut W), over chunks of examples (or, in the wide layout, per example).
   * </ul>
   *
   * <p>Which products run batched (one sgemm over the n P pixels of the batch) and which per
   * example was measured on LeNet-5's layers at batch 64 (conv1: 1x28x28, 6@5x5 pad 2, K = 25;
   * conv2: 6x14x14, 16@5x5, K = 150), one thread, median CPU ms per batch, VectorBLAS
   * ({@code --add-modules jdk.incubator.vector}):
   * <ul>
   *   <li>weight gradient (inner dimension n P): batched, conv1 backward 1.3 ms against 2.6
   *       per example, conv2 6.5 against 9.9;
   *   <li>input gradient (inner dimension F): per example into a P x K buffer that stays in
   *       cache for col2im, conv2 backward 6.5 ms against 8.2 batched, and no batch-sized
   *       buffer (since replaced, see below);
   *   <li>forward (inner dimension K): batched into a pixel-major buffer, then an NCHW reorder
   *       that adds the bias (conv2 3.3 ms against 4.9 per example).
   * </ul>
   * Why: VectorBLAS vectorizes along the inner dimension and only for products above 10^6
   * multiply-adds; smaller ones run plain loops, which suit short inner dimensions better than
   * its blocked kernel does. Native OpenBLAS ran every variant within 10% of the others.
   * Since then {@link io.spindle.tensor.Blas} sends these few-filter shapes to its own
   * Vector-API kernels when the BLAS is VectorBLAS (LeNet-5's step 14.2 -> 7.8 ms, conv+dense
   * 31% -> 58% of sgemm 256^3; bench/engine.sh): each of the three products about 2x faster.
   * For stride 1 the input gradient now goes through im2col's wide layout where that pays
   * (see {@code Instance.WIDE_MAX_EXTRA}), and the dOut reorder is one Vector-API pass
   * ({@link io.spindle.tensor.Loops}).
   *
   * <p>Once LeNet-5's layers had their own kernels (the wide layout, direct convolution), the
   * per-example products were left to the residual network's 7x7 layers, where 49 rows make
   * a poor product (sgemm metered per shape inside bench/engine.sh's ResNet step: 18 GFLOP/s for the
   * projection's 49 x 48 x 24 forward, native OpenBLAS). Measured per layer at batch 64, one thread, native / VectorBLAS
   * ms, forward and backward together: the 1x1 stride-2 projection 1.03 -> 0.72 / 1.35 -> 0.49
   * with a batched forward and input gradient, the 3x3 stride-2 convolution's backward
   * 2.67 -> 1.87 / 2.71 -> 1.80, the 48-channel 7x7 one's 3.40 -> 3.28 / 4.91 -> 4.06. So the
   * forward is batched for every layer, and the input gradient outside the wide layout runs
   * over as many examples as {@code GRAD_COLUMN_FLOATS} allows.
   *
   * <p>For stride-1 layers with "same"-style padding the input gradient is now one product per
   * kernel tap over the whole batch ({@link ShiftedConv}), with no column gradient and
   * no col2im: backward per layer at batch 64, one thread, native / VectorBLAS ms, the
   * residual network's 24-channel 14x14 layer 8.5-8.0 -> 4.3-5.1 / 5.2-5.3 -> 4.1-4.2, its
   * 48-channel 7x7 one 4.3-4.9 -> 2.8-3.0 / 6.1-6.4 -> 3.6-4.6 (interleaved runs on a busy
   * machine).
   *
   * <p>The same layers now skip im2col in forward too, where the routing table's SHIFTED line
   * sends their filter count ({@code bench/kernel-routes.sh} times whole layers both ways):
   * {@link ShiftedConv} computes the forward as one product over offsets into the bordered
   * input, the weight gradient as one product over the same offsets, and the input gradient
   * as one product over all taps. No column matrix is written (10.8 MB per batch of 64 for the
   * 24-channel 14x14 layer). The residual network's one-thread step, native under the Haswell
   * pin, 2,283-2,331 -> 2,781-2,911 images/s (bench/engine.sh's EngineBenchmark,
   * interleaved); its first block forward 5.4-5.7 -> 2.9-3.1 ms, backward 7.3-7.5 -> 5.6-5.9.
   *
   * <p>Stride-1 layers with few taps (K <= {@code DIRECT_MAX_TAPS}: LeNet-5's conv1, the
   * residual network's stem) skip im2col: {@link DirectConv} computes their forward and weight
   * gradient from a zero-bordered copy of the batch, where the column matrix would hold K
   * copies of the input for a product too thin to use the core.
   */
  static final class Instance extends Layer {
    /**
     * The wide layout adds (P' - P) F multiply-adds per tap to the input-gradient product and
     * saves col2im's short runs, about P adds per tap at several times the cost: it pays while
     * (P' - P) F <= 10 P. Measured (bench/engine.sh, backward ms per batch of 64, VectorBLAS):
     * LeNet-5's conv2 ((140 - 100) x 16 = 6.4 P) 2.0 -> 1.8, the ResNet's 24-channel block
     * (3.4 P) 15 -> 12; its 48-channel 7x7 convolution (13.7 P) went 10 -> 15, and keeps
     * col2im.
     */
    static final long WIDE_MAX_EXTRA = 10;

    /**
     * The most product rows per input pixel of {@link ShiftedConv}: the residual network's
     * 14x14 layers have 1.15, its 7x7 ones 1.31, LeNet-5's conv2 (5x5, no padding) 1.96 and
     * keeps the wide layout.
     */
    static final double SHIFTED_MAX_WASTE = 1.35;

    /**
     * The most floats of column gradient one input-gradient product writes (16 MB): the
     * product runs over as many examples as fit, so that small images make one tall product
     * and large ones keep a bounded buffer.
     */
    static final long GRAD_COLUMN_FLOATS = 4L << 20;

    /** The cap of {@link #examplesPerChunk}: GRAD_COLUMN_FLOATS, lowered by tests. */
    private long gradColumnFloats = GRAD_COLUMN_FLOATS;

    /** The most taps computed by {@link DirectConv} (stride 1 only). */
    static final int DIRECT_MAX_TAPS = 32;

    private final Im2col im2col;
    private final int filters;
    /** Kernel taps K = C * kh * kw; the weights are a column-major K x F matrix. */
    private final int taps;
    /** Output pixels per example. */
    private final int pixels;
    private final int inSize;
    private final int biasOffset;
    /** Whether the input gradient goes through im2col's wide layout (see gradInputWide). */
    private final boolean wideGradInput;
    /**
     * Stride-1 products over shifted views of the bordered planes (see ShiftedConv), or null:
     * the input gradient always, forward and weight gradient where the routing says so.
     */
    private final ShiftedConv shifted;
    /** Whether the last forward ran through {@link #shifted} (backward then does too). */
    private boolean shiftedForward;
    /** The direct convolution for forward and weight gradient, or null for im2col + sgemm. */
    private final DirectConv direct;
    /** The batch, zero-bordered for {@link #direct}, kept from forward for the weight gradient. */
    private float[] bordered = new float[0];
    /** ReLU applied in the output pass (a following ReLU layer is folded in, see Network). */
    private boolean relu;
    /** The batch's column matrix, (n P) x K, kept from forward for the weight gradient. */
    private float[] col = new float[0];
    /** Outputs or output gradients in pixel-major order, (n P) x F, for the batched products. */
    private float[] pixelMajor = new float[0];
    /** One example's output gradient in im2col's wide layout, P' x F (see gradInputWide). */
    private float[] dOutWide = new float[0];
    /**
     * A column gradient: one example's in the wide layout (P' x K), else that of a chunk of
     * examples ((m P) x K, see examplesPerChunk).
     */
    private float[] colGrad = new float[0];

    Instance(Conv2D spec, Shape input, Shape output, int paramOffset) {
      super(input, output, paramOffset);
      this.im2col = new Im2col(input, spec.kernelH, spec.kernelW, spec.strideH, spec.strideW,
          spec.padH, spec.padW);
      this.filters = spec.filters;
      this.taps = im2col.cols();
      this.pixels = im2col.rows();
      this.inSize = input.size();
      this.biasOffset = paramOffset + filters * taps;
      this.wideGradInput = im2col.hasWideLayout()
          && (long) (im2col.wideRows() - pixels) * filters <= WIDE_MAX_EXTRA * pixels;
      this.shifted = spec.strideH == 1 && spec.strideW == 1
          && ShiftedConv.fits(spec.kernelH, spec.kernelW, spec.padH, spec.padW)
          && ShiftedConv.waste(input, spec.kernelH, spec.kernelW, spec.padH, spec.padW)
              <= SHIFTED_MAX_WASTE
          ? new ShiftedConv(input, filters, spec.kernelH, spec.kernelW, spec.padH, spec.padW)
          : null;
      this.direct = spec.strideH == 1 && spec.strideW == 1 && taps <= DIRECT_MAX_TAPS
          && DirectConv.available()
          ? new DirectConv(input, filters, spec.kernelH, spec.kernelW, spec.padH, spec.padW)
          : null;
    }

    /** Caps the column gradient of one input-gradient product (for tests). */
    void gradColumnFloats(long floats) {
      gradColumnFloats = floats;
    }

    /** Whether the last forward ran over shifted views ({@link ShiftedConv}; for tests). */
    boolean isShiftedForward() {
      return shiftedForward;
    }

    /** Whether forward and weight gradient run {@link DirectConv} (for tests). */
    boolean isDirect() {
      return direct != null;
    }

    @Override
    public boolean fuseRelu() {
      relu = true;
      return true;
    }

    @Override
    public float[] forward(float[] params, float[] input, int n, boolean training) {
      float[] out = outputBuffer(n);
      int rows = n * pixels;
      int outSize = filters * pixels;
      if (direct != null) {
        bordered = ensure(bordered, direct.borderedSize(n));
        direct.loadWeights(params, paramOffset, biasOffset);
        for (int j = 0; j < n; j++) {
          direct.border(input, j * inSize, bordered, j);
          direct.forward(bordered, j, relu, out, j * outSize);
        }
        return out;
      }
      shiftedForward = direct == null && shifted != null && shifted.routed();
      if (shiftedForward) {
        shifted.forward(input, n, params, paramOffset, biasOffset, relu, out);
        return out;
      }
      // One spare column: netlib's bounds check wants offset + K * ld floats even for a
      // sub-matrix that starts at a row offset and so ends earlier.
      col = ensure(col, (long) rows * (taps + 1));
      for (int j = 0; j < n; j++) {
        im2col.im2col(input, j * inSize, col, j * pixels, rows);
      }
      pixelMajor = ensure(pixelMajor, (long) rows * filters);
      Blas.sgemm(false, false, rows, filters, taps, 1f, col, 0, rows, params, paramOffset,
          taps, 0f, pixelMajor, 0, rows);
      for (int j = 0; j < n; j++) {
        for (int f = 0; f < filters; f++) {
          float b = params[biasOffset + f];
          int src = f * rows + j * pixels;
          int dst = j * outSize + f * pixels;
          Loops.addBias(pixelMajor, src, out, dst, pixels, b, relu);
        }
      }
      return out;
    }

    @Override
    public float[] backward(float[] params, float[] grads, float[] input, float[] gradOutput,
        int n, boolean computeGradInput) {
      int rows = n * pixels;
      int outSize = filters * pixels;
      // dOut to pixel-major order for the batched products, summing the bias gradient on the
      // way and, with a folded ReLU, masking by the rectified output (x > 0 as a bit test:
      // positive floats are the positive ints; a branch mispredicts on real data).
      // One spare column for netlib's bounds check of the per-example products below.
      pixelMajor = ensure(pixelMajor, (long) rows * (filters + 1));
      float[] y = output;
      for (int f = 0; f < filters; f++) {
        float sum = 0f;
        for (int j = 0; j < n; j++) {
          int src = j * outSize + f * pixels;
          int dst = f * rows + j * pixels;
          sum += relu ? Loops.reluGradientSum(y, gradOutput, src, pixelMajor, dst, pixels)
              : Loops.copySum(gradOutput, src, pixelMajor, dst, pixels);
        }
        grads[biasOffset + f] += sum;
      }
      if (direct != null) {
        for (int j = 0; j < n; j++) {
          direct.addWeightGradient(bordered, j, pixelMajor, j * pixels, rows, grads, paramOffset);
        }
      } else if (shiftedForward) {
        shifted.borderOutputGradient(pixelMajor, rows, n);
        shifted.addWeightGradient(n, grads, paramOffset);
      } else {
        Blas.sgemm(true, false, taps, filters, rows, 1f, col, 0, rows, pixelMajor, 0, rows, 1f,
            grads, paramOffset, taps);
      }
      if (!computeGradInput) {
        return null;
      }
      float[] dx = gradInputBuffer(n);
      if (shifted != null) {
        if (!shiftedForward) {
          shifted.borderOutputGradient(pixelMajor, rows, n);
        }
        shifted.inputGradient(params, paramOffset, n, dx);
        return dx;
      }
      if (wideGradInput) {
        return gradInputWide(params, dx, n);
      }
      // dcol ((m P) x K) = dOut (rows of m examples of the pixel-major copy, x F) * W (F x K),
      // m examples at a time, then col2im example by example.
      int chunk = examplesPerChunk(n);
      colGrad = ensure(colGrad, (long) chunk * pixels * taps);
      for (int j0 = 0; j0 < n; j0 += chunk) {
        int m = Math.min(chunk, n - j0);
        Blas.sgemm(false, true, m * pixels, taps, filters, 1f, pixelMajor, j0 * pixels, rows,
            params, paramOffset, taps, 0f, colGrad, 0, m * pixels);
        for (int j = 0; j < m; j++) {
          im2col.col2im(colGrad, j * pixels, m * pixels, dx, (j0 + j) * inSize);
        }
      }
      return dx;
    }

    /** Examples per input-gradient product outside the wide layout: as many as fit. */
    private int examplesPerChunk(int n) {
      return (int) Math.max(1, Math.min(n, gradColumnFloats / ((long) pixels * taps)));
    }

    /**
     * The input gradient in im2col's wide layout (stride 1): each example's output gradient
     * is spread over rows q = oy * Wp + ox (zeros where ox >= outW), so the product's P' x K
     * result adds back onto the input as one contiguous run per tap. The product grows by
     * Wp / outW (LeNet-5's conv2: 14 / 10); col2im's short runs cost far more.
     */
    private float[] gradInputWide(float[] params, float[] dx, int n) {
      int rows = n * pixels;
      int wideRows = im2col.wideRows();
      int wp = im2col.wideRowLength();
      int outW = im2col.outWidth();
      int outH = im2col.outHeight();
      // Sized once per geometry: the rows that stay zero are never written.
      if (dOutWide.length < (long) wideRows * filters) {
        dOutWide = new float[wideRows * filters];
      }
      colGrad = ensure(colGrad, (long) wideRows * taps);
      for (int j = 0; j < n; j++) {
        for (int f = 0; f < filters; f++) {
          int src = f * rows + j * pixels;
          int dst = f * wideRows;
          for (int oy = 0; oy < outH; oy++, src += outW, dst += wp) {
            System.arraycopy(pixelMajor, src, dOutWide, dst, outW);
          }
        }
        // dcol (P' x K) = dOut_j (P' x F) * W (F x K), then col2im.
        Blas.sgemm(false, true, wideRows, taps, filters, 1f, dOutWide, 0, wideRows, params,
            paramOffset, taps, 0f, colGrad, 0, wideRows);
        im2col.col2imWide(colGrad, 0, wideRows, dx, j * inSize);
      }
      return dx;
    }
  }
}
