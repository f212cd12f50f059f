package io.spindle.ml;

import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The parameter every Spindle stage has, models included: rows per forward pass in
 * {@code transform}.
 *
 * <p>Params are built on demand: Spark identifies a param by its parent uid and name (its
 * {@code equals}), so a fresh instance per call is the same param, and Java interfaces, unlike
 * Scala traits, cannot hold one in a field.
 */
public interface SpindleInferenceParams extends Params {

  /** Rows per forward pass in {@code transform} (default 256). */
  default IntParam inferenceBatchSize() {
    return new IntParam(this, "inferenceBatchSize", "rows per forward pass in transform (>= 1);"
        + " bigger batches mean bigger gemms and more memory per task",
        ParamValidators.<Object>gtEq(1));
  }

  default int getInferenceBatchSize() {
    return (Integer) $(inferenceBatchSize());
  }

  /** Registers the defaults; each stage's constructor calls it. */
  default void initInferenceDefaults() {
    setDefault(inferenceBatchSize(), 256);
  }
}
