package io.spindle.cli;

import com.typesafe.config.Config;
import io.spindle.config.ConfigLoader;
import io.spindle.config.JobConfig;
import io.spindle.config.NetworkConfig;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;

/**
 * {@code train --init-model DIR}: fine-tuning from a saved or imported model. The job comes from
 * --config; its network is the model's when model.layers is empty, else model.layers must hold
 * the same parameters layer by layer (dropout may be added, initializers are ignored).
 */
final class InitModel {

  private InitModel() {}

  static JobConfig job(CliArgs args, SpindleModel model) {
    if (args.config == null) {
      throw new CliArgs.UsageException("--config FILE is required with --init-model (it names "
          + "the data and training settings; leave model.layers empty to use the model's network)");
    }
    Config resolved = ConfigLoader.load(args.config, args.overrides);
    if (resolved.getList("model.layers").isEmpty()) {
      resolved = NetworkConfig.toConfig(model.spec()).withFallback(resolved);
    }
    JobConfig job = JobConfig.from(resolved);
    requireSameParameters(job.network(), model.spec(), args);
    return job;
  }

  /** The config's network must take the model's weights as they are. */
  static void requireSameParameters(NetworkSpec config, NetworkSpec model, CliArgs args) {
    String where = "--init-model " + args.initModel + ": ";
    if (!config.inputShape().equals(model.inputShape())) {
      throw new IllegalArgumentException(where + "the model takes input " + model.inputShape()
          + " but data.input-shape is " + config.inputShape() + "; set data.input-shape to match");
    }
    int a = 0;
    int b = 0;
    while (true) {
      while (a < config.layerCount() && config.paramCount(a) == 0) {
        a++;
      }
      while (b < model.layerCount() && model.paramCount(b) == 0) {
        b++;
      }
      if (a == config.layerCount() || b == model.layerCount()) {
        break;
      }
      if (!config.layers().get(a).kind().equals(model.layers().get(b).kind())
          || config.paramCount(a) != model.paramCount(b)) {
        throw new IllegalArgumentException(where + "model.layers[" + a + "] ("
            + config.layers().get(a).kind() + ", " + config.paramCount(a) + " parameters) does not "
            + "match the model's layer " + (b + 1) + " (" + model.layers().get(b).kind() + ", "
            + model.paramCount(b) + " parameters); leave model.layers empty to use the model's network");
      }
      a++;
      b++;
    }
    if (config.paramCount() != model.paramCount() || config.stateCount() != model.stateCount()) {
      throw new IllegalArgumentException(where + "model.layers has " + config.paramCount()
          + " parameters and " + config.stateCount() + " state values but the model "
          + model.paramCount() + " and " + model.stateCount() + "; leave model.layers empty to "
          + "use the model's network");
    }
  }
}
