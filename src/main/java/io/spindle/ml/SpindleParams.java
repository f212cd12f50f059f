package io.spindle.ml;

import io.spindle.config.JobConfig;
import io.spindle.optim.OptimizerSpec;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/**
 * The training parameters of {@link SpindleClassifier} and {@link SpindleRegressor}: the
 * network, the optimizer, the schedule and the distributed trainer's knobs. Defaults follow
 * Spindle's configuration defaults (docs/config-reference.md) except {@code epochs} (10).
 */
public interface SpindleParams extends SpindleInferenceParams {

  /**
   * The network as HOCON or JSON: the {@code model} section of a Spindle config ({@code loss} and
   * {@code layers}), either bare or under a {@code model} key next to an optional
   * {@code data.input-shape}. Required. {@code setNetwork(NetworkSpec)} fills it from Java.
   */
  default Param<String> network() {
    return new Param<>(this, "network", "the network: HOCON/JSON of the model section "
        + "(loss, layers), e.g. layers = [{type = dense, units = 64}, {type = relu}, "
        + "{type = dense, units = 10}]");
  }

  /**
   * Shape of one example, [channels, height, width] or [size]; empty (the default) takes the
   * network's {@code data.input-shape}, else the features vector's size.
   */
  default IntArrayParam inputShape() {
    return new IntArrayParam(this, "inputShape", "shape of one example: [channels, height, "
        + "width] or [size]; empty = from the network, else the features vector size");
  }

  default IntParam epochs() {
    return new IntParam(this, "epochs", "passes over the training data (>= 1)",
        ParamValidators.<Object>gtEq(1));
  }

  default IntParam batchSize() {
    return new IntParam(this, "batchSize", "global mini-batch: examples per iteration over all "
        + "partitions (>= 1)", ParamValidators.<Object>gtEq(1));
  }

  default Param<String> optimizer() {
    return new Param<>(this, "optimizer", "optimizer: " + String.join(", ", OptimizerSpec.NAMES),
        ParamValidators.inArray(OptimizerSpec.NAMES));
  }

  default DoubleParam learningRate() {
    return new DoubleParam(this, "learningRate", "base learning rate (> 0)",
        ParamValidators.<Object>gt(0));
  }

  default DoubleParam momentum() {
    return new DoubleParam(this, "momentum", "momentum and nesterov: velocity decay, in [0, 1)",
        ParamValidators.<Object>inRange(0, 1, true, false));
  }

  default DoubleParam weightDecay() {
    return new DoubleParam(this, "weightDecay", "L2 penalty (decoupled decay for adamw), >= 0",
        ParamValidators.<Object>gtEq(0));
  }

  /**
   * Further optimizer keys of a Spindle config's {@code training} section, as HOCON: beta1,
   * beta2, epsilon, lr-schedule. The dedicated params win over the same keys here.
   */
  default Param<String> optimizerConfig() {
    return new Param<>(this, "optimizerConfig", "more training-section optimizer keys as HOCON,"
        + " e.g. lr-schedule { type = cosine }, beta2 = 0.99");
  }

  /** Seeds weight initialization, the per-epoch shuffles, dropout and the validation split. */
  default LongParam seed() {
    return new LongParam(this, "seed", "random seed (initialization, shuffles, dropout, split)");
  }

  default BooleanParam shuffle() {
    return new BooleanParam(this, "shuffle", "shuffle each partition's examples every epoch");
  }

  /**
   * Fraction of the input held out for validation (a seeded random split); 0 = none. A
   * validation DataFrame set with {@code setValidationData} takes precedence.
   */
  default DoubleParam validationFraction() {
    return new DoubleParam(this, "validationFraction", "fraction of the data held out for "
        + "validation, in [0, 1); 0 = none", ParamValidators.<Object>inRange(0, 1, true, false));
  }

  /** Validate every this many epochs (and after the last), when there is validation data. */
  default IntParam evalEvery() {
    return new IntParam(this, "evalEvery", "validate every N epochs (>= 1) when there is "
        + "validation data", ParamValidators.<Object>gtEq(1));
  }

  /** Example weights: each example's loss and gradient are scaled by it; "" = unweighted. */
  default Param<String> weightCol() {
    return new Param<>(this, "weightCol", "column of example weights (>= 0); empty = all 1");
  }

  /**
   * Partitions to train on: 0 (the default) = the cluster's default parallelism. The input is
   * repartitioned when its partition count differs.
   */
  default IntParam partitions() {
    return new IntParam(this, "partitions", "partitions to train on (>= 0; 0 = default "
        + "parallelism)", ParamValidators.<Object>gtEq(0));
  }

  default Param<String> storageLevel() {
    return new Param<>(this, "storageLevel", "storage level of the cached training blocks: "
        + String.join(", ", JobConfig.STORAGE_LEVELS),
        ParamValidators.inArray(JobConfig.STORAGE_LEVELS));
  }

  /** {@code spark.sync}: auto (the default), barrier or job; see {@code SyncMode}. */
  default Param<String> sync() {
    return new Param<>(this, "sync", "how iterations synchronize: "
        + String.join(", ", JobConfig.SYNC_MODES), ParamValidators.inArray(JobConfig.SYNC_MODES));
  }

  default IntParam treeDepth() {
    return new IntParam(this, "treeDepth", "depth of the gradient tree reduction (>= 1)",
        ParamValidators.<Object>gtEq(1));
  }

  /** Log a progress line every this many iterations; 0 = once per epoch. */
  default IntParam logEvery() {
    return new IntParam(this, "logEvery", "log progress every N iterations (0 = per epoch)",
        ParamValidators.<Object>gtEq(0));
  }

  default String getNetwork() {
    return $(network());
  }

  default int[] getInputShape() {
    return $(inputShape());
  }

  default int getEpochs() {
    return (Integer) $(epochs());
  }

  default int getBatchSize() {
    return (Integer) $(batchSize());
  }

  default String getOptimizer() {
    return $(optimizer());
  }

  default double getLearningRate() {
    return (Double) $(learningRate());
  }

  default double getMomentum() {
    return (Double) $(momentum());
  }

  default double getWeightDecay() {
    return (Double) $(weightDecay());
  }

  default String getOptimizerConfig() {
    return $(optimizerConfig());
  }

  default long getSeed() {
    return (Long) $(seed());
  }

  default boolean getShuffle() {
    return (Boolean) $(shuffle());
  }

  default double getValidationFraction() {
    return (Double) $(validationFraction());
  }

  default int getEvalEvery() {
    return (Integer) $(evalEvery());
  }

  default String getWeightCol() {
    return $(weightCol());
  }

  default int getPartitions() {
    return (Integer) $(partitions());
  }

  default String getSync() {
    return $(sync());
  }

  default String getStorageLevel() {
    return $(storageLevel());
  }

  default int getTreeDepth() {
    return (Integer) $(treeDepth());
  }

  default int getLogEvery() {
    return (Integer) $(logEvery());
  }

  /** Registers the defaults; each estimator's constructor calls it. */
  default void initTrainingDefaults() {
    initInferenceDefaults();
    setDefault(network(), "");
    setDefault(inputShape(), new int[0]);
    setDefault(epochs(), 10);
    setDefault(batchSize(), 64);
    setDefault(optimizer(), "adam");
    setDefault(learningRate(), 0.001);
    setDefault(momentum(), 0.9);
    setDefault(weightDecay(), 0.0);
    setDefault(optimizerConfig(), "");
    setDefault(seed(), 42L);
    setDefault(shuffle(), true);
    setDefault(validationFraction(), 0.0);
    setDefault(evalEvery(), 1);
    setDefault(weightCol(), "");
    setDefault(partitions(), 0);
    setDefault(storageLevel(), "MEMORY_AND_DISK");
    setDefault(treeDepth(), 2);
    setDefault(sync(), "auto");
    setDefault(logEvery(), 0);
  }
}
