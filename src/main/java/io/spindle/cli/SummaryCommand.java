package io.spindle.cli;

import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import java.io.PrintStream;

/** {@code spindle summary}: the network table, from a config or a saved model. No Spark. */
final class SummaryCommand {

  private final CliArgs args;
  private final PrintStream out;

  SummaryCommand(CliArgs args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  int run() throws Exception {
    NetworkSpec spec = args.model != null
        ? SpindleModel.load(args.model).spec()
        : JobSupport.loadJob(args).network();
    out.print(spec.summary());
    return SpindleCli.OK;
  }
}
