package io.spindle.config;

import io.spindle.nn.Init;
import io.spindle.nn.LayerSpec;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixed registry of layer types a config may name, with each type's keys. Nothing named in
 * a config is ever loaded by reflection: a type is one branch of a switch here.
 */
public final class LayerConfig {

  /** Every layer type, in the order the reference page lists them. */
  public static final List<String> TYPES = List.of("dense", "conv2d", "max-pool", "avg-pool",
      "flatten", "relu", "leaky-relu", "sigmoid", "tanh", "softmax", "dropout", "batch-norm",
      "global-avg-pool", "residual");
  static final List<String> SHORTCUTS = List.of("auto", "projection");

  static final String EXAMPLE = "{ type = dense, units = 10 }";
  private static final List<String> INITS = List.of("he-uniform", "he-normal", "xavier-uniform",
      "xavier-normal", "zeros");

  private LayerConfig() {}

  /** The keys valid for a layer type, {@code type} first. */
  public static List<String> keys(String type) {
    List<String> keys = new ArrayList<>();
    keys.add("type");
    keys.addAll(switch (type) {
      case "dense" -> List.of("units", "init");
      case "conv2d" -> List.of("filters", "kernel", "stride", "padding", "init");
      case "max-pool", "avg-pool" -> List.of("size", "stride", "padding");
      case "leaky-relu" -> List.of("alpha");
      case "dropout" -> List.of("rate");
      case "batch-norm" -> List.of("momentum", "epsilon");
      case "residual" -> List.of("layers", "shortcut");
      case "flatten", "relu", "sigmoid", "tanh", "softmax", "global-avg-pool" -> List.<String>of();
      default -> throw new IllegalArgumentException("unknown layer type " + type);
    });
    return keys;
  }

  /** One element of {@code model.layers}. */
  static LayerSpec parse(ConfigSection layer) {
    if (!layer.has("type")) {
      throw layer.error("type", null, "is missing; every layer needs a type, one of "
          + String.join(", ", TYPES));
    }
    String type = layer.choice("type", TYPES, "layer type");
    layer.rejectUnknown(keys(type), "a " + type + " layer");
    try {
      return switch (type) {
        case "dense" -> new Dense(layer.intAtLeast("units", 1), init(layer));
        case "conv2d" -> {
          int filters = layer.intAtLeast("filters", 1);
          int[] k = layer.intPair("kernel", 1);
          int[] s = layer.intPair("stride", 1, new int[] {1, 1});
          int[] p = layer.intPair("padding", 0, new int[] {0, 0});
          yield new Conv2D(filters, k[0], k[1], s[0], s[1], p[0], p[1], init(layer));
        }
        case "max-pool", "avg-pool" -> {
          int[] size = layer.intPair("size", 1);
          int[] s = layer.intPair("stride", 1, size);
          int[] p = layer.intPair("padding", 0, new int[] {0, 0});
          yield type.equals("max-pool") ? new MaxPool2D(size[0], size[1], s[0], s[1], p[0], p[1])
              : new AvgPool2D(size[0], size[1], s[0], s[1], p[0], p[1]);
        }
        case "flatten" -> new Flatten();
        case "relu" -> new ReLU();
        case "leaky-relu" -> new LeakyReLU(
            (float) layer.number("alpha", "in [0, 1)", a -> a >= 0 && a < 1, 0.01));
        case "sigmoid" -> new Sigmoid();
        case "tanh" -> new Tanh();
        case "softmax" -> new Softmax();
        case "dropout" -> new Dropout(layer.number("rate", "in [0, 1)", r -> r >= 0 && r < 1, 0.5));
        case "batch-norm" -> new BatchNorm(
            layer.number("momentum", "in (0, 1]", m -> m > 0 && m <= 1, BatchNorm.DEFAULT_MOMENTUM),
            layer.number("epsilon", "positive", e -> e > 0, BatchNorm.DEFAULT_EPSILON));
        case "global-avg-pool" -> new GlobalAvgPool();
        case "residual" -> {
          List<ConfigSection> items = layer.objectList("layers", EXAMPLE);
          if (items.isEmpty()) {
            throw layer.error("layers", layer.value("layers"), "the residual block has no layers;"
                + " add at least one, e.g. { type = conv2d, filters = 16, kernel = 3, padding = 1 }");
          }
          List<LayerSpec> inner = new ArrayList<>();
          for (ConfigSection item : items) {
            inner.add(parse(item));
          }
          yield new Residual(inner, Residual.Shortcut.fromConfigName(
              layer.choice("shortcut", "auto", SHORTCUTS, "shortcut")));
        }
        default -> throw new IllegalStateException(type);
      };
    } catch (SpindleConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // Constraints between keys that only the layer checks, e.g. pooling padding > window / 2.
      throw layer.error(e.getMessage(), e);
    }
  }

  private static Init init(ConfigSection layer) {
    return Init.fromConfigName(layer.choice("init", "he-uniform", INITS, "initializer"));
  }

  /** The config object of a layer: {@code type} then its hyper-parameters. */
  static Map<String, Object> toMap(LayerSpec layer) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", layer.kind());
    if (layer instanceof Residual r) {
      List<Object> inner = new ArrayList<>();
      for (LayerSpec l : r.layers()) {
        inner.add(toMap(l));
      }
      m.put("layers", inner);
    }
    for (Map.Entry<String, Object> e : layer.config().entrySet()) {
      m.put(e.getKey(), compact(e.getValue()));
    }
    if (layer instanceof LeakyReLU l) {
      // The float alpha widened to double prints as 0.009999999776482582; its float digits
      // (0.01) read back to the same float.
      m.put("alpha", Double.parseDouble(Float.toString(l.alpha())));
    }
    return m;
  }

  /** A [h, w] pair with h == w is written as one number, as users write it. */
  private static Object compact(Object value) {
    if (value instanceof List<?> list && list.size() == 2 && list.get(0).equals(list.get(1))) {
      return list.get(0);
    }
    return value;
  }
}
