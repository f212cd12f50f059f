package io.spindle.nn;

import io.spindle.nn.layers.AvgPool2D;
import io.spindle.nn.layers.Conv2D;
import io.spindle.nn.layers.Dense;
import io.spindle.nn.layers.Dropout;
import io.spindle.nn.layers.Flatten;
import io.spindle.nn.layers.LeakyReLU;
import io.spindle.nn.layers.MaxPool2D;
import io.spindle.nn.layers.ReLU;
import io.spindle.nn.layers.Sigmoid;
import io.spindle.nn.layers.Softmax;
import io.spindle.nn.layers.Tanh;
import io.spindle.nn.loss.Loss;
import io.spindle.nn.loss.SoftmaxCrossEntropy;
import io.spindle.tensor.Shape;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A network's architecture: input shape, layer specs and loss, with every shape and parameter
 * offset inferred up front. It holds no weights: those are one flat float vector
 * ({@link #initParams}) in which layer i owns {@code [paramOffset(i), paramOffset(i) +
 * paramCount(i))}. Gradients and optimizer state use the same layout.
 */
public final class NetworkSpec implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Shape input;
  private final List<LayerSpec> layers;
  private final Loss loss;
  private final Shape[] outputShapes;
  private final int[] paramOffsets;
  private final int[] paramCounts;
  private final int paramCount;

  public NetworkSpec(Shape input, List<LayerSpec> layers, Loss loss) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("the network has no layers; add at least one dense layer");
    }
    this.input = input;
    this.layers = List.copyOf(layers);
    this.loss = loss;
    this.outputShapes = new Shape[layers.size()];
    this.paramOffsets = new int[layers.size()];
    this.paramCounts = new int[layers.size()];
    Shape shape = input;
    long offset = 0;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      try {
        shape = layer.outputShape(shape);
        paramCounts[i] = layer.paramCount(i == 0 ? input : outputShapes[i - 1]);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new IllegalArgumentException("layer " + (i + 1) + " (" + layer.kind() + "): "
            + e.getMessage(), e);
      }
      outputShapes[i] = shape;
      paramOffsets[i] = (int) offset;
      offset += paramCounts[i];
      if (offset > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("layer " + (i + 1) + " (" + layer.kind()
            + "): the network exceeds 2^31 parameters; make the layers smaller");
      }
    }
    this.paramCount = (int) offset;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Shape inputShape() {
    return input;
  }

  public Shape outputShape() {
    return outputShapes[outputShapes.length - 1];
  }

  public List<LayerSpec> layers() {
    return layers;
  }

  public Loss loss() {
    return loss;
  }

  public int layerCount() {
    return layers.size();
  }

  public Shape layerInputShape(int i) {
    return i == 0 ? input : outputShapes[i - 1];
  }

  public Shape layerOutputShape(int i) {
    return outputShapes[i];
  }

  public int paramOffset(int i) {
    return paramOffsets[i];
  }

  public int paramCount(int i) {
    return paramCounts[i];
  }

  /** Total length of the flat parameter vector. */
  public int paramCount() {
    return paramCount;
  }

  /** Floats per example of the target array the loss expects. */
  public int targetSize() {
    return loss.targetSize(outputShape().size());
  }

  /** Fresh parameters, deterministic for a seed: each layer draws from its own split stream. */
  public float[] initParams(long seed) {
    float[] params = new float[paramCount];
    SplittableRandom root = new SplittableRandom(seed);
    for (int i = 0; i < layers.size(); i++) {
      SplittableRandom layerRng = root.split();
      layers.get(i).initParams(layerInputShape(i), params, paramOffsets[i], layerRng);
    }
    return params;
  }

  /** A runtime instance with its own buffers; one per task or thread. */
  public Network instantiate() {
    return new Network(this);
  }

  /** The table printed by {@code spindle summary}: layer, output shape, parameters, total. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    String row = "%-4s %-16s %-14s %12s%n";
    sb.append(String.format(row, "#", "layer", "output shape", "parameters"));
    sb.append(String.format(row, "", "input", input, ""));
    for (int i = 0; i < layers.size(); i++) {
      sb.append(String.format(row, i + 1, layers.get(i).kind(), outputShapes[i],
          String.format("%,d", paramCounts[i])));
    }
    sb.append(String.format("loss: %s%ntotal parameters: %,d (%,.1f KiB as float32)%n",
        loss.name(), paramCount, paramCount * 4 / 1024.0));
    return sb.toString();
  }

  @Override
  public String toString() {
    return "NetworkSpec(input=" + input + ", layers=" + layers + ", loss=" + loss.name() + ")";
  }

  /**
   * Fluent definition, e.g.
   * {@code NetworkSpec.builder().input(1, 28, 28).conv(6, 5).pad(2).relu().maxPool(2)
   * .conv(16, 5).relu().maxPool(2).dense(120).relu().dense(84).relu().dense(10).build()}.
   * Modifiers ({@link #pad}, {@link #stride}, {@link #init}) apply to the layer just added.
   * Dense layers accept any input shape, so an explicit {@link #flatten} is optional.
   * The default loss is softmax cross-entropy.
   */
  public static final class Builder {
    private Shape input;
    private final List<LayerSpec> layers = new ArrayList<>();
    private Loss loss = new SoftmaxCrossEntropy();

    public Builder input(int channels, int height, int width) {
      return input(Shape.of(channels, height, width));
    }

    public Builder input(int size) {
      return input(Shape.vector(size));
    }

    public Builder input(Shape shape) {
      this.input = shape;
      return this;
    }

    public Builder add(LayerSpec layer) {
      layers.add(layer);
      return this;
    }

    public Builder dense(int units) {
      return add(new Dense(units));
    }

    public Builder conv(int filters, int kernel) {
      return add(new Conv2D(filters, kernel));
    }

    public Builder conv(int filters, int kernelH, int kernelW) {
      return add(new Conv2D(filters, kernelH, kernelW, 1, 1, 0, 0, Init.HE_UNIFORM));
    }

    public Builder maxPool(int size) {
      return add(new MaxPool2D(size));
    }

    public Builder avgPool(int size) {
      return add(new AvgPool2D(size));
    }

    public Builder flatten() {
      return add(new Flatten());
    }

    public Builder relu() {
      return add(new ReLU());
    }

    public Builder leakyRelu(float alpha) {
      return add(new LeakyReLU(alpha));
    }

    public Builder sigmoid() {
      return add(new Sigmoid());
    }

    public Builder tanh() {
      return add(new Tanh());
    }

    public Builder softmax() {
      return add(new Softmax());
    }

    public Builder dropout(double rate) {
      return add(new Dropout(rate));
    }

    /** Zero padding of the last conv or pooling layer. */
    public Builder pad(int padding) {
      return pad(padding, padding);
    }

    public Builder pad(int ph, int pw) {
      LayerSpec last = last("pad");
      if (last instanceof Conv2D c) {
        return replaceLast(c.withPadding(ph, pw));
      } else if (last instanceof MaxPool2D p) {
        return replaceLast(p.withPadding(ph, pw));
      } else if (last instanceof AvgPool2D p) {
        return replaceLast(p.withPadding(ph, pw));
      }
      throw new IllegalStateException("pad() applies to conv or pooling layers, not " + last.kind());
    }

    /** Stride of the last conv or pooling layer. */
    public Builder stride(int stride) {
      return stride(stride, stride);
    }

    public Builder stride(int sh, int sw) {
      LayerSpec last = last("stride");
      if (last instanceof Conv2D c) {
        return replaceLast(c.withStride(sh, sw));
      } else if (last instanceof MaxPool2D p) {
        return replaceLast(p.withStride(sh, sw));
      } else if (last instanceof AvgPool2D p) {
        return replaceLast(p.withStride(sh, sw));
      }
      throw new IllegalStateException("stride() applies to conv or pooling layers, not " + last.kind());
    }

    /** Initializer of the last dense or conv layer. */
    public Builder init(Init init) {
      LayerSpec last = last("init");
      if (last instanceof Conv2D c) {
        return replaceLast(c.withInit(init));
      } else if (last instanceof Dense d) {
        return replaceLast(new Dense(d.units(), init));
      }
      throw new IllegalStateException("init() applies to dense or conv layers, not " + last.kind());
    }

    public Builder loss(Loss loss) {
      this.loss = loss;
      return this;
    }

    public NetworkSpec build() {
      if (input == null) {
        throw new IllegalStateException("call input(...) before build()");
      }
      return new NetworkSpec(input, layers, loss);
    }

    private LayerSpec last(String what) {
      if (layers.isEmpty()) {
        throw new IllegalStateException(what + "() must follow a layer");
      }
      return layers.get(layers.size() - 1);
    }

    private Builder replaceLast(LayerSpec layer) {
      layers.set(layers.size() - 1, layer);
      return this;
    }
  }
}
