package io.spindle.onnx;

import io.spindle.io.SpindleModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Spindle's ONNX interface: {@link #export} writes a model as a standard ONNX graph,
 * {@link #importModel} reads one back. See docs/onnx.md for the operator table.
 *
 * <ul>
 *   <li>opset {@value #OPSET} of the default domain, IR version {@value #IR_VERSION};
 *   <li>input {@value #INPUT}: float32 [N, C, H, W] (or [N, features] for vector networks),
 *       N dynamic, the values the network saw in training (MNIST idx: pixel / 255);
 *   <li>first output {@value #LOGITS} [N, classes] (the network's raw output), then
 *       {@value #PROBABILITIES} where the loss implies them (softmax or sigmoid); a regression
 *       network (mse) has one output, {@value #OUTPUT};
 *   <li>metadata_props: {@code class_names} (a JSON array), {@code spindle.loss},
 *       {@code spindle.network} (the network as Spindle wrote it, dropout included) and
 *       {@code spindle.metadata} (the model's metadata, JSON).
 * </ul>
 */
public final class Onnx {

  public static final int OPSET = 17;
  /** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
  public static final long IR_VERSION = 8;
  public static final String INPUT = "input";
  public static final String LOGITS = "logits";
  public static final String OUTPUT = "output";
  public static final String PROBABILITIES = "probabilities";
  public static final String CLASS_NAMES = "class_names";
  public static final String LOSS_KEY = "spindle.loss";
  public static final String NETWORK_KEY = "spindle.network";
  public static final String METADATA_KEY = "spindle.metadata";

  private Onnx() {}

  /** Writes {@code model} to {@code file} as ONNX (atomically). */
  public static void export(SpindleModel model, Path file) throws IOException {
    OnnxExport.write(model, file);
  }

  /**
   * Reads an .onnx file made of the supported operators into a Spindle model.
   *
   * @throws OnnxFormatException (one line, naming the file and, where it applies, the node) for
   *     a corrupt or hostile file or an operator or attribute Spindle does not import
   */
  public static SpindleModel importModel(Path file) throws IOException {
    return OnnxImport.read(file);
  }

  /** {@code s} quoted for a one-line message, shortened when long. */
  static String quote(String s) {
    String shown = s.length() > 80 ? s.substring(0, 77) + "..." : s;
    return "'" + shown + "'";
  }
}
