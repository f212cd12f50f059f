package io.spindle.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.spindle.nn.LayerSpec;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.Loss;
import io.spindle.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network as a config section, to {@link NetworkSpec} and back. The format (every key is in
 * docs/config-reference.md):
 *
 * <pre>
 * data.input-shape = [1, 28, 28]            # [channels, height, width], or [size] for vectors
 * model {
 *   loss = softmax-cross-entropy            # mse | binary-cross-entropy | softmax-cross-entropy
 *   layers = [
 *     { type = conv2d, filters = 6, kernel = 5, padding = 2 }  # kernel/stride/padding: n or [h, w]
 *     { type = relu }
 *     { type = max-pool, size = 2 }         # stride defaults to size
 *     { type = conv2d, filters = 16, kernel = 5 }
 *     { type = relu }
 *     { type = max-pool, size = 2 }
 *     { type = flatten }
 *     { type = dense, units = 120 }
 *     { type = relu }
 *     { type = dense, units = 84 }
 *     { type = relu }
 *     { type = dense, units = 10 }
 *   ]
 * }
 * </pre>
 *
 * Layer types: dense (units, init), conv2d (filters, kernel, stride, padding, init), max-pool and
 * avg-pool (size, stride, padding), flatten, relu, leaky-relu (alpha), sigmoid, tanh, softmax,
 * dropout (rate), batch-norm (momentum, epsilon), global-avg-pool, residual (layers: a nested
 * list of layers, whose paths read {@code model.layers[4].layers[1].units}; shortcut). Unknown keys and types, wrong value types and shapes that do not fit are
 * rejected with a {@link SpindleConfigException} naming the key path, e.g.
 * {@code model.layers[3].unit}, and the file and line.
 */
public final class NetworkConfig {

  /** Keys of the {@code model} section. */
  public static final List<String> MODEL_KEYS = List.of("loss", "layers");
  public static final List<String> LOSSES = List.of("mse", "binary-cross-entropy",
      "softmax-cross-entropy");

  private NetworkConfig() {}

  /** The network of a resolved config: {@code data.input-shape} and the {@code model} section. */
  public static NetworkSpec parse(Config config) {
    return parse(ConfigSection.root(config));
  }

  /**
   * The network of a {@link #toMap} form read back from elsewhere, e.g. a model directory's
   * JSON converted to maps and lists.
   */
  public static NetworkSpec parse(Map<String, ?> map) {
    try {
      return parse(ConfigValueFactory.fromMap(map, "network description").toConfig());
    } catch (com.typesafe.config.ConfigException e) {
      throw SpindleConfigException.of(e);
    }
  }

  static NetworkSpec parse(ConfigSection root) {
    Shape input = inputShape(root.section("data"));
    ConfigSection model = root.section("model");
    model.rejectUnknown(MODEL_KEYS, "the model section");
    Loss loss = Loss.fromName(model.choice("loss", "softmax-cross-entropy", LOSSES, "loss"));
    List<ConfigSection> items = model.objectList("layers", LayerConfig.EXAMPLE);
    if (items.isEmpty()) {
      throw model.error("layers", model.value("layers"),
          "the network has no layers; add at least one, e.g. " + LayerConfig.EXAMPLE);
    }
    List<LayerSpec> layers = new ArrayList<>();
    Shape shape = input;
    for (ConfigSection item : items) {
      LayerSpec layer = LayerConfig.parse(item);
      // Infer shapes here too, so an impossible one is reported with its config path.
      Shape in = shape;
      try {
        shape = layer.outputShape(in);
      } catch (IllegalArgumentException e) {
        throw item.error(e.getMessage(), e);
      }
      try {
        shape.size();
        layer.paramCount(in);
      } catch (ArithmeticException e) {
        throw item.error(layer.kind() + ": input " + in + " gives over 2^31 parameters or output"
            + " values per example; make the layer or its input smaller", e);
      }
      layers.add(layer);
    }
    try {
      return new NetworkSpec(input, layers, loss);
    } catch (IllegalArgumentException e) {
      throw model.error(e.getMessage(), e);
    }
  }

  /** {@code input-shape}: [channels, height, width], [size], or a single size. */
  public static Shape inputShape(ConfigSection data) {
    int[] dims = data.intList("input-shape", 1);
    ConfigValue v = data.value("input-shape");
    try {
      Shape shape = switch (dims.length) {
        case 1 -> Shape.vector(dims[0]);
        case 3 -> Shape.of(dims[0], dims[1], dims[2]);
        default -> throw data.error("input-shape", v, "expected [channels, height, width] or [size],"
            + " got " + ConfigSection.render(v));
      };
      shape.size();
      return shape;
    } catch (ArithmeticException e) {
      throw data.error("input-shape", v, "the shape " + ConfigSection.render(v)
          + " has more than 2^31 values per example");
    }
  }

  /**
   * The config form of {@code spec} as nested maps and lists ({@code data.input-shape} and
   * {@code model}), which {@link #parse} reads back into an equal spec. Used by the model format
   * and summary.json.
   */
  public static Map<String, Object> toMap(NetworkSpec spec) {
    Shape in = spec.inputShape();
    List<Integer> shape = in.isVector() ? List.of(in.channels())
        : List.of(in.channels(), in.height(), in.width());
    List<Object> layers = new ArrayList<>();
    for (LayerSpec layer : spec.layers()) {
      layers.add(LayerConfig.toMap(layer));
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("loss", spec.loss().name());
    model.put("layers", layers);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("data", Map.of("input-shape", shape));
    root.put("model", model);
    return root;
  }

  public static Config toConfig(NetworkSpec spec) {
    return ConfigValueFactory.fromMap(toMap(spec), "network spec").toConfig();
  }

  /** HOCON text, one layer per line, readable and parseable. */
  public static String toHocon(NetworkSpec spec) {
    StringBuilder sb = new StringBuilder();
    Shape in = spec.inputShape();
    sb.append("data.input-shape = ").append(in.isVector() ? "[" + in.channels() + "]"
        : "[" + in.channels() + ", " + in.height() + ", " + in.width() + "]").append('\n');
    sb.append("model {\n  loss = ").append(spec.loss().name()).append("\n  layers = [\n");
    for (LayerSpec layer : spec.layers()) {
      sb.append("    ").append(Hocon.inlineObject(LayerConfig.toMap(layer))).append('\n');
    }
    sb.append("  ]\n}\n");
    return sb.toString();
  }
}
