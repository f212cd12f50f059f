package io.spindle.nn;

import io.spindle.data.Augmentation;
import io.spindle.nn.layers.AvgPool2D;
import io.spindle.nn.layers.BatchNorm;
import io.spindle.nn.layers.Conv2D;
import io.spindle.nn.layers.Dense;
import io.spindle.nn.layers.Dropout;
import io.spindle.nn.layers.Flatten;
import io.spindle.nn.layers.GlobalAvgPool;
import io.spindle.nn.layers.LeakyReLU;
import io.spindle.nn.layers.MaxPool2D;
import io.spindle.nn.layers.ReLU;
import io.spindle.nn.layers.Residual;
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
import java.util.function.Consumer;

/**
 * A network's architecture: input shape, layer specs and loss, with every shape and parameter
 * offset inferred up front. It holds no weights: those are one flat float vector
 * ({@link #initParams}) in which layer i owns {@code [paramOffset(i), paramOffset(i) +
 * paramCount(i))}. Gradients and optimizer state use the same layout.
 *
 * <p>Non-trainable state (batch normalization's running statistics) is a second flat vector of
 * {@link #stateCount()} floats with the same discipline: layer i owns
 * {@code [stateOffset(i), stateOffset(i) + stateCount(i))}. The <em>model vector</em> is the
 * parameters followed by the state ({@link #modelSize()} floats): what inference reads, models
 * and checkpoints store, and {@link #initParams} returns. For a network without state it is
 * the parameter vector itself. The optimizer only ever sees the parameters.
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
  private final int[] stateOffsets;
  private final int[] stateCounts;
  private final int stateCount;
  /** Training-time input augmentation (not part of the saved architecture), or null. */
  private final Augmentation augmentation;

  public NetworkSpec(Shape input, List<LayerSpec> layers, Loss loss) {
    this(input, layers, loss, null);
  }

  private NetworkSpec(Shape input, List<LayerSpec> layers, Loss loss, Augmentation augmentation) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("the network has no layers; add at least one dense layer");
    }
    this.input = input;
    this.layers = List.copyOf(layers);
    this.loss = loss;
    this.outputShapes = new Shape[layers.size()];
    this.paramOffsets = new int[layers.size()];
    this.paramCounts = new int[layers.size()];
    this.stateOffsets = new int[layers.size()];
    this.stateCounts = new int[layers.size()];
    this.augmentation = augmentation;
    Shape shape = input;
    long offset = 0;
    long stateOffset = 0;
    for (int i = 0; i < layers.size(); i++) {
      LayerSpec layer = layers.get(i);
      try {
        shape = layer.outputShape(shape);
        paramCounts[i] = layer.paramCount(i == 0 ? input : outputShapes[i - 1]);
        stateCounts[i] = layer.stateCount(i == 0 ? input : outputShapes[i - 1]);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new IllegalArgumentException("layer " + (i + 1) + " (" + layer.kind() + "): "
            + e.getMessage(), e);
      }
      outputShapes[i] = shape;
      paramOffsets[i] = (int) offset;
      offset += paramCounts[i];
      stateOffsets[i] = (int) stateOffset;
      stateOffset += stateCounts[i];
      if (offset + stateOffset > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("layer " + (i + 1) + " (" + layer.kind()
            + "): the network exceeds 2^31 parameters; make the layers smaller");
      }
    }
    this.paramCount = (int) offset;
    this.stateCount = (int) stateOffset;
  }

  /**
   * This network with training-time augmentation of its input (random crops, flips), applied
   * to each training example by whichever gradient source runs the batch, on the executors;
   * never in inference or validation. {@code null} for none.
   */
  public NetworkSpec withAugmentation(Augmentation augmentation) {
    if (augmentation != null) {
      augmentation.check(input);
    }
    return new NetworkSpec(input, layers, loss, augmentation == null || augmentation.isNone()
        ? null : augmentation);
  }

  /** The training-time augmentation, or null. */
  public Augmentation augmentation() {
    return augmentation;
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

  public int stateOffset(int i) {
    return stateOffsets[i];
  }

  public int stateCount(int i) {
    return stateCounts[i];
  }

  /** Length of the non-trainable state vector (0 without batch normalization). */
  public int stateCount() {
    return stateCount;
  }

  /** Length of the model vector: parameters, then state. */
  public int modelSize() {
    return paramCount + stateCount;
  }

  /** Floats per example of the target array the loss expects. */
  public int targetSize() {
    return loss.targetSize(outputShape().size());
  }

  /**
   * A fresh model vector, deterministic for a seed: parameters (each layer draws from its own
   * split stream), then the initial state ({@link #initState}).
   */
  public float[] initParams(long seed) {
    float[] params = new float[modelSize()];
    SplittableRandom root = new SplittableRandom(seed);
    for (int i = 0; i < layers.size(); i++) {
      SplittableRandom layerRng = root.split();
      layers.get(i).initParams(layerInputShape(i), params, paramOffsets[i], layerRng);
    }
    float[] state = initState();
    System.arraycopy(state, 0, params, paramCount, stateCount);
    return params;
  }

  /** The initial state vector (batch normalization: running mean 0, running variance 1). */
  public float[] initState() {
    float[] state = new float[stateCount];
    for (int i = 0; i < layers.size(); i++) {
      layers.get(i).initState(layerInputShape(i), state, stateOffsets[i]);
    }
    return state;
  }

  /**
   * Updates {@code state} from one iteration's batch statistics ({@link Network
   * #addBatchStatistics}, summed over the global batch of {@code examples} examples).
   */
  public void updateState(float[] state, double[] stats, long examples) {
    if (stats == null || stats.length != stateCount) {
      throw new IllegalArgumentException("the iteration's batch statistics hold "
          + (stats == null ? 0 : stats.length) + " values but the network's state has "
          + stateCount);
    }
    for (int i = 0; i < layers.size(); i++) {
      if (stateCounts[i] > 0) {
        layers.get(i).updateState(layerInputShape(i), state, stateOffsets[i], stats, examples);
      }
    }
  }

  /** The model vector of {@code params} and {@code state}: the parameters, then the state. */
  public float[] modelVector(float[] params, float[] state) {
    if (stateCount == 0) {
      return params;
    }
    float[] model = java.util.Arrays.copyOf(params, modelSize());
    System.arraycopy(state, 0, model, paramCount, stateCount);
    return model;
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
    if (stateCount > 0) {
      sb.append(String.format("non-trainable state: %,d (batch-norm running mean and variance)%n",
          stateCount));
    }
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

    /** Batch normalization with PyTorch's defaults (momentum 0.1, epsilon 1e-5). */
    public Builder batchNorm() {
      return add(new BatchNorm());
    }

    public Builder batchNorm(double momentum, double epsilon) {
      return add(new BatchNorm(momentum, epsilon));
    }

    public Builder globalAvgPool() {
      return add(new GlobalAvgPool());
    }

    /**
     * A residual block: the layers {@code block} adds, whose output is summed with the block's
     * input (through a 1x1 convolution when the shapes differ), e.g.
     * {@code .residual(b -> b.conv(16, 3).pad(1).batchNorm().relu().conv(16, 3).pad(1)
     * .batchNorm()).relu()}. Blocks nest.
     */
    public Builder residual(Consumer<Builder> block) {
      return residual(Residual.Shortcut.AUTO, block);
    }

    public Builder residual(Residual.Shortcut shortcut, Consumer<Builder> block) {
      Builder inner = new Builder();
      block.accept(inner);
      return add(new Residual(inner.layers, shortcut));
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

    /** The layers added so far (for building nested blocks). */
    public List<LayerSpec> layers() {
      return List.copyOf(layers);
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
