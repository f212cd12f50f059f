package io.spindle.nn;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Weight initializers. He suits ReLU networks (variance 2/fanIn); Xavier/Glorot suits
 * sigmoid and tanh (variance 2/(fanIn+fanOut)). Deterministic for a given random source.
 */
public enum Init {
  HE_UNIFORM, HE_NORMAL, XAVIER_UNIFORM, XAVIER_NORMAL, ZEROS;

  /** Fills {@code len} floats at {@code offset}. */
  public void fill(float[] dst, int offset, int len, int fanIn, int fanOut, SplittableRandom rng) {
    double variance = switch (this) {
      case HE_UNIFORM, HE_NORMAL -> 2.0 / fanIn;
      case XAVIER_UNIFORM, XAVIER_NORMAL -> 2.0 / (fanIn + fanOut);
      case ZEROS -> 0.0;
    };
    boolean uniform = this == HE_UNIFORM || this == XAVIER_UNIFORM;
    // A uniform on [-a, a] has variance a^2/3.
    double limit = Math.sqrt(3.0 * variance);
    double std = Math.sqrt(variance);
    for (int i = 0; i < len; i++) {
      double v = this == ZEROS ? 0.0
          : uniform ? (rng.nextDouble() * 2.0 - 1.0) * limit
          : gaussian(rng) * std;
      dst[offset + i] = (float) v;
    }
  }

  /** Config name, e.g. {@code he-uniform}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Init fromConfigName(String name) {
    for (Init init : values()) {
      if (init.configName().equals(name)) {
        return init;
      }
    }
    throw new IllegalArgumentException("unknown initializer '" + name
        + "'; use one of he-uniform, he-normal, xavier-uniform, xavier-normal, zeros");
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
  }
}
