package io.spindle.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The parsed command line: a subcommand and its options. */
final class CliArgs {

  String command;
  Path config;
  Path output;
  Path model;
  /** A checkpoint directory: a local path or a Hadoop URI (hdfs://...), kept as written. */
  String resume;
  /** import: the .onnx file to read. */
  Path onnx;
  /** train: a model directory whose weights (and network) training starts from. */
  Path initModel;
  /** predict: csv or parquet. */
  String format;
  final List<String> overrides = new ArrayList<>();
  boolean verbose;
  boolean help;

  /** Thrown for a malformed command line; printed with a hint to {@code --help}. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static CliArgs parse(String[] argv) {
    CliArgs a = new CliArgs();
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0 && !arg.startsWith("--set=")) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "-h", "--help" -> a.help = true;
        case "-v", "--verbose" -> a.verbose = true;
        case "--config" -> a.config = Path.of(value != null ? value : next(argv, ++i, arg));
        case "--output" -> a.output = Path.of(value != null ? value : next(argv, ++i, arg));
        case "--model" -> a.model = Path.of(value != null ? value : next(argv, ++i, arg));
        case "--resume" -> a.resume = value != null ? value : next(argv, ++i, arg);
        case "--onnx" -> a.onnx = Path.of(value != null ? value : next(argv, ++i, arg));
        case "--init-model" -> a.initModel = Path.of(value != null ? value : next(argv, ++i, arg));
        case "--format" -> a.format = value != null ? value : next(argv, ++i, arg);
        case "--set" -> a.overrides.add(next(argv, ++i, arg));
        default -> {
          if (arg.startsWith("--set=")) {
            a.overrides.add(arg.substring("--set=".length()));
          } else if (arg.startsWith("-")) {
            throw new UsageException("unknown option '" + arg + "'");
          } else if (a.command == null) {
            a.command = arg;
          } else {
            throw new UsageException("unexpected argument '" + arg + "'");
          }
        }
      }
    }
    return a;
  }

  private static String next(String[] argv, int i, String option) {
    if (i >= argv.length || argv[i].startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return argv[i];
  }
}
