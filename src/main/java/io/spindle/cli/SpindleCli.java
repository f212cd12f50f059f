package io.spindle.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * The {@code spindle} command line: {@code train}, {@code evaluate}, {@code predict},
 * {@code summary}, {@code export} and {@code import}. The same class runs in embedded local mode (submit/spindle) and under
 * spark-submit. Every failure ends as one line on stderr and a non-zero exit; {@code --verbose}
 * adds the stack trace.
 */
public final class SpindleCli {

  /** Exit codes: 0 ok, 1 the job failed, 2 bad command line or configuration. */
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String USAGE_TEXT = """
      Usage: spindle <command> [options]

      Commands:
        train      train a network on Spark and write the model, metrics and charts
        evaluate   evaluate a trained model on the test data (confusion matrix)
        predict    write a trained model's predictions for a data set
        summary    print the network: layers, output shapes, parameter counts
        export     write a trained model as an ONNX file
        import     read an ONNX file into a Spindle model directory

      Common options:
        --config FILE      job configuration (HOCON), e.g. conf/lenet5-mnist.conf
        --set KEY=VALUE    override one config key; repeatable (e.g. --set training.epochs=2)
        --verbose          print stack traces on errors
        -h, --help         help for a command: spindle train --help

      Configuration keys: docs/config-reference.md
      """;

  private static final Map<String, String> COMMAND_HELP = Map.of(
      "train", """
          Usage: spindle train --config FILE --output DIR [--set KEY=VALUE ...]
                 spindle train --config FILE --init-model MODEL_DIR --output DIR [--set ...]
                 spindle train --resume CHECKPOINT_DIR --output DIR [--config FILE] [--set ...]

          Trains the network of model.layers on data.train with Spark (spark.master, default
          local[*]; spark-submit's --master wins), evaluating on data.test every epoch.
          Writes into DIR:
            model/                 the trained model (loadable by evaluate, predict, the Java API)
            metrics.csv            one row per epoch (also metrics.jsonl, appended while training)
            summary.json           final accuracy and loss, timings, and the resolved config
            training-curves.png    train/test loss and accuracy per epoch
          With checkpoint.dir set, checkpoints are written there while training
          (checkpoint.every-epochs, checkpoint.every-iterations, checkpoint.keep).
          --resume CHECKPOINT_DIR continues from the newest valid checkpoint there (a corrupt
          newer one is skipped with a warning) and ends with the same weights as an
          uninterrupted run. The job is the checkpoint's own config unless --config is given,
          which must then agree with it on the model, training and data settings.
          --init-model MODEL_DIR fine-tunes: training starts from that model's weights (one
          written by train or by import). Its network is used when the config's model.layers
          is empty; otherwise model.layers must have the same parameters, layer by layer.
          """,
      "export", """
          Usage: spindle export --model DIR --output FILE.onnx

          Writes the model as ONNX (opset 17): input "input", float32 [N, C, H, W] (or
          [N, features]) as the network saw it in training (MNIST idx: pixel / 255), N dynamic;
          outputs "logits" [N, classes] and "probabilities" (softmax or sigmoid, for the
          classification losses); class names and Spindle's metadata in metadata_props.
          Dropout is left out (the identity at inference). Operator table: docs/onnx.md.
          """,
      "import", """
          Usage: spindle import --onnx FILE.onnx --output DIR

          Reads an ONNX model made of the operators Spindle exports (docs/onnx.md) into a model
          directory that evaluate, predict, summary, the Java API and train --init-model take.
          An operator or attribute outside that set is refused, naming it and its node.
          """,
      "evaluate", """
          Usage: spindle evaluate --model DIR [--config FILE] [--set KEY=VALUE ...] [--output DIR]

          Evaluates a trained model on data.test (from --config/--set, else the model's own
          config). Prints loss and accuracy; writes confusion-matrix.csv and
          confusion-matrix.png into --output (default: the model's parent directory).
          """,
      "predict", """
          Usage: spindle predict --model DIR --output DIR [--format csv|parquet] [--config FILE]
                                 [--set KEY=VALUE ...]

          Runs the model on data.test (set it with --set data.test=PATH; any data.format) on
          the executors and writes DIR/predictions.csv (default) or DIR/predictions.parquet,
          Spark's folder of part files: index, origin (images), label, prediction (class or
          value), then p0, p1, ... (probabilities) or y0, ... (regression outputs).
          On a cluster DIR must be a path every executor can write (HDFS, a shared mount).
          """,
      "summary", """
          Usage: spindle summary --config FILE [--set KEY=VALUE ...]
                 spindle summary --model DIR

          Prints each layer with its output shape and parameter count, and the total.
          """);

  private SpindleCli() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != OK) {
      System.exit(code);
    }
  }

  /** Runs a command; returns the exit code. Never throws. */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    CliArgs args;
    try {
      args = CliArgs.parse(argv);
    } catch (CliArgs.UsageException e) {
      err.println("spindle: " + e.getMessage() + " (see spindle --help)");
      return USAGE;
    }
    if (args.command == null) {
      (args.help ? out : err).print(USAGE_TEXT);
      return args.help ? OK : USAGE;
    }
    String help = COMMAND_HELP.get(args.command);
    if (help == null) {
      err.println("spindle: unknown command '" + args.command
          + "'; use one of train, evaluate, predict, summary, export, import (see spindle --help)");
      return USAGE;
    }
    if (args.help) {
      out.print(help);
      return OK;
    }
    if (args.format != null && !args.command.equals("predict")) {
      err.println("spindle " + args.command + ": --format applies to predict only (see spindle "
          + args.command + " --help)");
      return USAGE;
    }
    String misplaced = args.onnx != null && !args.command.equals("import") ? "--onnx applies to import"
        : args.initModel != null && !args.command.equals("train") ? "--init-model applies to train"
        : null;
    if (misplaced != null) {
      err.println("spindle " + args.command + ": " + misplaced + " only (see spindle "
          + args.command + " --help)");
      return USAGE;
    }
    try {
      return switch (args.command) {
        case "train" -> new TrainCommand(args, out, err).run();
        case "evaluate" -> new EvaluateCommand(args, out).run();
        case "predict" -> new PredictCommand(args, out).run();
        case "export" -> OnnxCommands.export(args, out);
        case "import" -> OnnxCommands.importModel(args, out);
        default -> new SummaryCommand(args, out).run();
      };
    } catch (CliArgs.UsageException e) {
      err.println("spindle " + args.command + ": " + e.getMessage()
          + " (see spindle " + args.command + " --help)");
      return USAGE;
    } catch (Throwable e) {
      return reportFailure(args, e, err);
    }
  }

  private static int reportFailure(CliArgs args, Throwable e, PrintStream err) {
    Throwable root = UserErrors.rootCause(e);
    err.println("spindle " + args.command + ": error: " + UserErrors.describe(root));
    if (args.verbose) {
      e.printStackTrace(err);
    } else if (!UserErrors.isExpected(root)) {
      err.println("(run again with --verbose for the stack trace)");
    }
    return root instanceof IllegalArgumentException ? USAGE : FAILED;
  }
}
