package io.spindle.cli;

import io.spindle.io.SpindleModel;
import io.spindle.onnx.Onnx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code spindle export} and {@code spindle import}: ONNX out of and into model directories. */
final class OnnxCommands {

  private OnnxCommands() {}

  static int export(CliArgs args, PrintStream out) throws Exception {
    if (args.model == null) {
      throw new CliArgs.UsageException("--model DIR is required");
    }
    if (args.output == null) {
      throw new CliArgs.UsageException("--output FILE.onnx is required");
    }
    if (Files.isDirectory(args.output)) {
      throw new IllegalArgumentException("--output " + args.output + " is a directory; name the "
          + ".onnx file to write, e.g. " + args.output.resolve("model.onnx"));
    }
    SpindleModel model = SpindleModel.load(args.model);
    Path parent = args.output.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    model.exportOnnx(args.output);
    io.spindle.tensor.Shape in = model.spec().inputShape();
    out.printf("spindle: wrote %s (ONNX opset %d, %,d parameters, %,d bytes): input '%s' [N, %s], "
        + "outputs %s%n", args.output, Onnx.OPSET, model.spec().paramCount(),
        Files.size(args.output), Onnx.INPUT, in.isVector() ? String.valueOf(in.size())
            : in.channels() + ", " + in.height() + ", " + in.width(),
        model.spec().loss().isClassification() ? "'" + Onnx.LOGITS + "', '" + Onnx.PROBABILITIES + "'"
            : "'" + Onnx.OUTPUT + "'");
    return SpindleCli.OK;
  }

  static int importModel(CliArgs args, PrintStream out) throws Exception {
    if (args.onnx == null) {
      throw new CliArgs.UsageException("--onnx FILE.onnx is required");
    }
    if (args.output == null) {
      throw new CliArgs.UsageException("--output DIR is required");
    }
    SpindleModel model = SpindleModel.importOnnx(args.onnx);
    model.save(args.output);
    out.print(model.spec().summary());
    out.printf("spindle: imported %s into %s%n", args.onnx, args.output);
    return SpindleCli.OK;
  }
}
