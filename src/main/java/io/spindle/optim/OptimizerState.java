package io.spindle.optim;

import java.util.List;

/** Allocation and checkpoint-restore checks shared by the stateful optimizers. */
final class OptimizerState {

  private OptimizerState() {}

  static int checkParamCount(String optimizer, int paramCount) {
    if (paramCount <= 0) {
      throw new IllegalArgumentException(optimizer + ": parameter count must be positive, got "
          + paramCount);
    }
    return paramCount;
  }

  /** Fails clearly when a step is given vectors of another network. */
  static void checkStep(String optimizer, int paramCount, float[] params, float[] grad) {
    if (params.length != paramCount || grad.length != paramCount) {
      throw new IllegalArgumentException(optimizer + ": built for " + paramCount
          + " parameters but got params of " + params.length + " and gradient of " + grad.length
          + " floats; build the optimizer for this network's paramCount()");
    }
  }

  /** Validates every array before copying any, so a bad checkpoint leaves the state untouched. */
  static void restore(String optimizer, List<float[]> source, List<String> names,
      List<float[]> target) {
    if (source.size() != target.size()) {
      throw new IllegalArgumentException(optimizer + " state: expected " + target.size()
          + " array(s) " + names + " but got " + source.size()
          + "; the checkpoint was written by a different optimizer");
    }
    for (int i = 0; i < source.size(); i++) {
      float[] src = source.get(i);
      if (src == null || src.length != target.get(i).length) {
        throw new IllegalArgumentException(optimizer + " state '" + names.get(i) + "': expected "
            + target.get(i).length + " floats but got " + (src == null ? "none" : src.length)
            + "; the checkpoint belongs to a network with a different parameter count");
      }
    }
    for (int i = 0; i < source.size(); i++) {
      System.arraycopy(source.get(i), 0, target.get(i), 0, target.get(i).length);
    }
  }
}
