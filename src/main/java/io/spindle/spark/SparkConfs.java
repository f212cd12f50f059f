package io.spindle.spark;

import org.apache.spark.SparkConf;

/** Spark settings Spindle relies on, applied where a {@link SparkConf} is built. */
public final class SparkConfs {

  private SparkConfs() {}

  /**
   * Adds Spindle's defaults where the user set nothing: executors' native BLAS single-threaded
   * ({@code spark.executorEnv.OPENBLAS_NUM_THREADS=1}; Spark runs one task per core, and one
   * BLAS thread per task was faster here than two).
   */
  public static SparkConf withDefaults(SparkConf conf) {
    conf.setIfMissing("spark.executorEnv.OPENBLAS_NUM_THREADS", "1");
    return conf;
  }
}
