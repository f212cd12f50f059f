package io.spindle.nn.layers;

import io.spindle.nn.Init;
import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Loops;
import io.spindle.tensor.Shape;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A residual block (He et al.): y = F(x) + shortcut(x), where F is the block's layers in order.
 * The shortcut is the identity when F keeps the shape, else a 1x1 convolution whose stride maps
 * the input's size to F's (a dense layer for vector inputs); {@link Shortcut#PROJECTION} always
 * uses the projection. No activation follows the sum: add a relu layer after the block (it
 * runs in the block's summing pass, see Network#foldRelus). Blocks nest, since a block is a
 * layer.
 *
 * <p>Parameters: each inner layer's, in order, then the projection's. State: the inner
 * layers', in order.
 */
public record Residual(List<LayerSpec> layers, Shortcut shortcut) implements LayerSpec {

  /** How the block's input reaches its output. */
  public enum Shortcut {
    /** Identity when the shapes agree, else a projection. */
    AUTO,
    /** Always a 1x1 convolution (dense for vectors). */
    PROJECTION;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Shortcut fromConfigName(String name) {
      for (Shortcut s : values()) {
        if (s.configName().equals(name)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown shortcut '" + name + "'; use auto or projection");
    }
  }

  public Residual {
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("residual: the block has no layers; add at least one,"
          + " e.g. layers = [{ type = conv2d, filters = 16, kernel = 3, padding = 1 }]");
    }
    java.util.Objects.requireNonNull(shortcut, "shortcut");
  }

  public Residual(List<LayerSpec> layers) {
    this(layers, Shortcut.AUTO);
  }

  @Override
  public String kind() {
    return "residual";
  }

  /** The input shape of inner layer i (i = layers.size(): the block's output). */
  private Shape[] shapes(Shape input) {
    Shape[] shapes = new Shape[layers.size() + 1];
    shapes[0] = input;
    for (int i = 0; i < layers.size(); i++) {
      try {
        shapes[i + 1] = layers.get(i).outputShape(shapes[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("residual layer " + (i + 1) + " ("
            + layers.get(i).kind() + "): " + e.getMessage(), e);
      }
    }
    return shapes;
  }

  @Override
  public Shape outputShape(Shape input) {
    Shape[] shapes = shapes(input);
    projection(input, shapes[layers.size()]);
    return shapes[layers.size()];
  }

  /**
   * The shortcut's layer from {@code in} to the block's output shape {@code out}, or null for
   * the identity (public for the ONNX mapping, which writes and checks it).
   */
  public LayerSpec projection(Shape in, Shape out) {
    if (shortcut == Shortcut.AUTO && in.equals(out)) {
      return null;
    }
    if (in.isVector() && out.isVector()) {
      return new Dense(out.channels(), Init.HE_UNIFORM);
    }
    for (int s = 1; s <= Math.max(in.height(), in.width()); s++) {
      Conv2D conv = new Conv2D(out.channels(), 1, 1, s, s, 0, 0, Init.HE_UNIFORM);
      if (conv.outputShape(in).equals(out)) {
        return conv;
      }
    }
    throw new IllegalArgumentException("residual: the block maps " + in + " to " + out
        + ", which no 1x1 convolution shortcut can match; keep the block's height and width, or"
        + " divide them by a stride");
  }

  @Override
  public int paramCount(Shape input) {
    Shape[] shapes = shapes(input);
    int count = 0;
    for (int i = 0; i < layers.size(); i++) {
      count = Math.addExact(count, layers.get(i).paramCount(shapes[i]));
    }
    LayerSpec proj = projection(input, shapes[layers.size()]);
    return proj == null ? count : Math.addExact(count, proj.paramCount(input));
  }

  @Override
  public void initParams(Shape input, float[] params, int offset, SplittableRandom rng) {
    Shape[] shapes = shapes(input);
    int at = offset;
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).initParams(shapes[i], params, at, rng.split());
      at += layers.get(i).paramCount(shapes[i]);
    }
    LayerSpec proj = projection(input, shapes[layers.size()]);
    if (proj != null) {
      proj.initParams(input, params, at, rng.split());
    }
  }

  @Override
  public int stateCount(Shape input) {
    Shape[] shapes = shapes(input);
    int count = 0;
    for (int i = 0; i < layers.size(); i++) {
      count = Math.addExact(count, layers.get(i).stateCount(shapes[i]));
    }
    return count;
  }

  @Override
  public void initState(Shape input, float[] state, int offset) {
    Shape[] shapes = shapes(input);
    int at = offset;
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).initState(shapes[i], state, at);
      at += layers.get(i).stateCount(shapes[i]);
    }
  }

  @Override
  public void updateState(Shape input, float[] state, int offset, double[] stats,
      long examples) {
    Shape[] shapes = shapes(input);
    int at = offset;
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).updateState(shapes[i], state, at, stats, examples);
      at += layers.get(i).stateCount(shapes[i]);
    }
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    return instantiate(input, paramOffset, 0);
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset, int stateOffset) {
    Shape[] shapes = shapes(input);
    Layer[] inner = new Layer[layers.size()];
    int p = paramOffset;
    int s = stateOffset;
    for (int i = 0; i < inner.length; i++) {
      inner[i] = layers.get(i).instantiate(shapes[i], p, s);
      p += layers.get(i).paramCount(shapes[i]);
      s += layers.get(i).stateCount(shapes[i]);
    }
    LayerSpec proj = projection(input, shapes[layers.size()]);
    return new Instance(input, shapes[layers.size()], paramOffset, inner,
        proj == null ? null : proj.instantiate(input, p, s));
  }

  /** The shortcut only: the inner layers are written by config.LayerConfig. */
  @Override
  public Map<String, Object> config() {
    return Map.of("shortcut", shortcut.configName());
  }

  static final class Instance extends Layer {
    private final Layer[] inner;
    /** The 1x1 projection, or null for the identity shortcut. */
    private final Layer projection;
    /** ReLU applied to the sum (a following ReLU layer is folded in). */
    private boolean relu;
    /** The output gradient masked by the rectified sum, with a folded ReLU. */
    private float[] masked = new float[0];

    Instance(Shape input, Shape output, int paramOffset, Layer[] inner, Layer projection) {
      super(input, output, paramOffset);
      this.inner = inner;
      this.projection = projection;
      io.spindle.nn.Network.foldRelus(inner);
    }

    /** The number of inner layers, and inner layer i (for tests). */
    int innerCount() {
      return inner.length;
    }

    Layer inner(int i) {
      return inner[i];
    }

    @Override
    public boolean fuseRelu() {
      relu = true;
      return true;
    }

    @Override
    public float[] forward(float[] params, float[] in, int n, boolean training) {
      float[] x = in;
      for (Layer layer : inner) {
        x = layer.forward(params, x, n, training);
      }
      float[] shortcut = projection == null ? in : projection.forward(params, in, n, training);
      float[] y = outputBuffer(n);
      int len = n * outputShape.size();
      if (relu) {
        for (int i = 0; i < len; i++) {
          y[i] = Math.max(0f, x[i] + shortcut[i]);
        }
      } else {
        for (int i = 0; i < len; i++) {
          y[i] = x[i] + shortcut[i];
        }
      }
      return y;
    }

    @Override
    public float[] backward(float[] params, float[] grads, float[] in, float[] gradOutput,
        int n, boolean computeGradInput) {
      float[] g = gradOutput;
      if (relu) {
        int len = n * outputShape.size();
        masked = ensure(masked, len);
        Loops.reluGradientSum(output, gradOutput, 0, masked, 0, len);
        g = masked;
      }
      float[] sumGrad = g;
      for (int i = inner.length - 1; i >= 0; i--) {
        float[] layerIn = i == 0 ? in : inner[i - 1].lastOutput();
        g = inner[i].backward(params, grads, layerIn, g, n, i > 0 || computeGradInput);
      }
      float[] shortcutGrad = projection == null ? sumGrad
          : projection.backward(params, grads, in, sumGrad, n, computeGradInput);
      if (!computeGradInput) {
        return null;
      }
      float[] dx = gradInputBuffer(n);
      int len = n * inputShape.size();
      for (int i = 0; i < len; i++) {
        dx[i] = g[i] + shortcutGrad[i];
      }
      return dx;
    }

    @Override
    public void reseed(long seed) {
      for (int i = 0; i < inner.length; i++) {
        inner[i].reseed(seed * 1_000_003L + i);
      }
    }

    @Override
    public void addBatchStatistics(double[] stats, int base) {
      for (Layer layer : inner) {
        layer.addBatchStatistics(stats, base);
      }
    }
  }
}
