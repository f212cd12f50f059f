package io.spindle.ml;

/** Argument checks of the setters, with messages that say what is valid. */
final class MlChecks {

  private MlChecks() {}

  /** An input shape: [channels, height, width] or [size], all positive. */
  static int[] shape(int[] shape) {
    if (shape == null || (shape.length != 1 && shape.length != 3)) {
      throw new IllegalArgumentException("inputShape must be [channels, height, width] or "
          + "[size], got " + java.util.Arrays.toString(shape));
    }
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException("inputShape dimensions must be positive, got "
            + java.util.Arrays.toString(shape));
      }
    }
    return shape.clone();
  }
}
