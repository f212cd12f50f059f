package io.spindle.ml;

import io.spindle.config.NetworkConfig;
import io.spindle.nn.NetworkSpec;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;

/**
 * A Spindle network as a Spark ML regressor: one linear output trained with mean squared error
 * (the network's last layer is a dense layer with 1 unit; {@code loss} defaults to {@code mse}),
 * on Spindle's distributed trainer, like {@link SpindleClassifier}.
 *
 * <pre>{@code
 * SpindleRegressor reg = new SpindleRegressor()
 *     .setNetwork("layers = [{type = dense, units = 32}, {type = tanh}, {type = dense, units = 1}]")
 *     .setEpochs(20).setLearningRate(0.01);
 * SpindleRegressionModel model = reg.fit(train);   // features: Vector, label: double
 * }</pre>
 *
 * <p>Params and their defaults: {@link SpindleParams}. A validation DataFrame set with
 * {@link #setValidationData} is not saved.
 */
public final class SpindleRegressor
    extends Regressor<Vector, SpindleRegressor, SpindleRegressionModel>
    implements SpindleParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private transient Dataset<?> validationData;

  public SpindleRegressor() {
    this(Identifiable.randomUID("spindleRegressor"));
  }

  /** Used by Spark's reader and copy; the uid names this stage in a pipeline. */
  public SpindleRegressor(String uid) {
    this(Uids.stage(uid), true);
  }

  private SpindleRegressor(String uid, boolean staged) {
    super();
    this.uid = uid;
    Uids.clear();
    initTrainingDefaults();
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  @Override
  public SpindleRegressionModel train(Dataset<?> dataset) {
    SpindleTraining.Fitted f = SpindleTraining.fit(this, getFeaturesCol(), getLabelCol(),
        dataset, validationData, SpindleTraining.Task.REGRESSION);
    return new SpindleRegressionModel(Uids.stage(uid()), f.spec(), f.params(), f.result());
  }

  @Override
  public SpindleRegressor copy(ParamMap extra) {
    SpindleRegressor copy = defaultCopy(extra);
    copy.validationData = validationData;
    return copy;
  }

  @Override
  public MLWriter write() {
    return new DefaultParamsWriter(this);
  }

  @Override
  public void save(String path) throws java.io.IOException {
    write().save(path);
  }

  public static MLReader<SpindleRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static SpindleRegressor load(String path) {
    return read().load(path);
  }

  /** The network as HOCON/JSON of the model section (see {@link SpindleParams#network}). */
  public SpindleRegressor setNetwork(String network) {
    SpindleTraining.parseNetwork(network);
    set(network(), network);
    return this;
  }

  /** The network of a {@link NetworkSpec} (its input shape included). */
  public SpindleRegressor setNetwork(NetworkSpec spec) {
    SpindleTraining.checkRegressor(spec);
    return setNetwork(NetworkConfig.toHocon(spec));
  }

  public SpindleRegressor setInputShape(int... shape) {
    set(inputShape(), MlChecks.shape(shape));
    return this;
  }

  public SpindleRegressor setEpochs(int epochs) {
    set(epochs(), epochs);
    return this;
  }

  public SpindleRegressor setBatchSize(int batchSize) {
    set(batchSize(), batchSize);
    return this;
  }

  public SpindleRegressor setOptimizer(String optimizer) {
    set(optimizer(), optimizer);
    return this;
  }

  public SpindleRegressor setLearningRate(double rate) {
    set(learningRate(), rate);
    return this;
  }

  public SpindleRegressor setMomentum(double momentum) {
    set(momentum(), momentum);
    return this;
  }

  public SpindleRegressor setWeightDecay(double decay) {
    set(weightDecay(), decay);
    return this;
  }

  public SpindleRegressor setOptimizerConfig(String hocon) {
    set(optimizerConfig(), hocon);
    SpindleTraining.optimizerSpec(this);
    return this;
  }

  public SpindleRegressor setSeed(long seed) {
    set(seed(), seed);
    return this;
  }

  public SpindleRegressor setShuffle(boolean shuffle) {
    set(shuffle(), shuffle);
    return this;
  }

  public SpindleRegressor setValidationFraction(double fraction) {
    set(validationFraction(), fraction);
    return this;
  }

  /** Validation data (same columns as the training data); null for none. Not saved. */
  public SpindleRegressor setValidationData(Dataset<?> validation) {
    this.validationData = validation;
    return this;
  }

  public Dataset<?> getValidationData() {
    return validationData;
  }

  public SpindleRegressor setEvalEvery(int epochs) {
    set(evalEvery(), epochs);
    return this;
  }

  public SpindleRegressor setWeightCol(String column) {
    set(weightCol(), column);
    return this;
  }

  public SpindleRegressor setPartitions(int partitions) {
    set(partitions(), partitions);
    return this;
  }

  /** How iterations synchronize: {@code auto} (default), {@code barrier} or {@code job}. */
  public SpindleRegressor setSync(String mode) {
    set(sync(), mode);
    return this;
  }

  public SpindleRegressor setStorageLevel(String level) {
    set(storageLevel(), level);
    return this;
  }

  public SpindleRegressor setTreeDepth(int depth) {
    set(treeDepth(), depth);
    return this;
  }

  public SpindleRegressor setLogEvery(int iterations) {
    set(logEvery(), iterations);
    return this;
  }

  public SpindleRegressor setInferenceBatchSize(int rows) {
    set(inferenceBatchSize(), rows);
    return this;
  }
}
