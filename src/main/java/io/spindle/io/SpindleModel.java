package io.spindle.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spindle.config.NetworkConfig;
import io.spindle.nn.NetworkSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trained model: its network and model vector (the flat parameters, then the non-trainable
 * state such as batch-norm running statistics), plus metadata. The Java API to Spindle's
 * model directories ({@link ModelStore}); {@code spindle evaluate/predict} use the same calls.
 *
 * <pre>{@code
 * SpindleModel model = SpindleModel.load(Path.of("runs/lenet5/model"));
 * float[] logits = model.spec().instantiate().forward(model.params(), images, n, false);
 * }</pre>
 */
public record SpindleModel(NetworkSpec spec, float[] params, JsonNode metadata) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public SpindleModel {
    if (params.length != spec.modelSize()) {
      throw new IllegalArgumentException("the network needs " + spec.modelSize()
          + " values (parameters, then state), got " + params.length);
    }
  }

  public static SpindleModel load(Path dir) throws IOException {
    ModelStore.StoredModel stored = ModelStore.read(dir, network -> parse(network).paramCount(),
        network -> parse(network).stateCount());
    return new SpindleModel(parse(stored.network()), stored.params(), stored.metadata());
  }

  /** Writes the model directory atomically. */
  public static void save(Path dir, NetworkSpec spec, float[] params, Map<String, Object> metadata)
      throws IOException {
    ModelStore.write(dir, NetworkConfig.toMap(spec), params, spec.stateCount(), metadata);
  }

  public void save(Path dir) throws IOException {
    save(dir, spec, params, JSON.convertValue(metadata, Map.class));
  }

  /**
   * Writes this model as an ONNX file (opset 17; input "input", outputs "logits" and, for the
   * classification losses, "probabilities"; docs/onnx.md).
   */
  public void exportOnnx(Path file) throws IOException {
    io.spindle.onnx.Onnx.export(this, file);
  }

  /**
   * Reads an ONNX model made of the operators Spindle exports (docs/onnx.md).
   *
   * @throws io.spindle.onnx.OnnxFormatException (a {@link ModelFormatException}) with one line
   *     naming the file and node for a corrupt file or an operator Spindle does not import
   */
  public static SpindleModel importOnnx(Path file) throws IOException {
    return io.spindle.onnx.Onnx.importModel(file);
  }

  @SuppressWarnings("unchecked")
  private static NetworkSpec parse(JsonNode network) {
    return NetworkConfig.parse(JSON.convertValue(network, Map.class));
  }
}
