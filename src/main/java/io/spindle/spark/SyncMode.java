package io.spindle.spark;

import java.util.Locale;

/**
 * How the driver and the executors synchronize each iteration ({@code spark.sync}).
 *
 * <ul>
 *   <li>{@code BARRIER}: one long-lived barrier stage per epoch; weights and partials travel
 *       through Spark's RPC environment, with no Spark job per iteration
 *       ({@link BarrierGradientSource});
 *   <li>{@code JOB}: one Spark job per iteration ({@link SparkGradientSource});
 *   <li>{@code AUTO}: barrier where Spark can run a barrier stage, else one job per iteration,
 *       with one log line saying why.
 * </ul>
 *
 * Both give the same weights, bit for bit.
 */
public enum SyncMode {
  AUTO,
  BARRIER,
  JOB;

  /** Parses {@code auto}, {@code barrier} or {@code job} (any case). */
  public static SyncMode parse(String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("spark.sync must be auto, barrier or job, got '"
          + value + "'");
    }
  }

  /** The config value ({@code auto}, {@code barrier}, {@code job}). */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
