package io.spindle.ml;

import io.spindle.config.NetworkConfig;
import io.spindle.nn.NetworkSpec;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
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
 * A Spindle network as a Spark ML classifier: any Spindle network (dense, convolutional,
 * pooling, dropout ...) ending in one output per class (softmax-cross-entropy) or in one logit
 * (binary-cross-entropy), trained by Spindle's distributed trainer on the rows of a DataFrame.
 *
 * <pre>{@code
 * SpindleClassifier clf = new SpindleClassifier()
 *     .setNetwork("layers = [{type = dense, units = 128}, {type = relu}, {type = dense, units = 10}]")
 *     .setEpochs(5).setBatchSize(128).setLearningRate(0.001);
 * SpindleClassificationModel model = clf.fit(train);   // features: Vector, label: 0 .. 9
 * model.transform(test).select("prediction", "probability").show();
 * }</pre>
 *
 * <p>Features are a Vector column (dense or sparse) whose values are the example in NCHW order
 * for the {@code inputShape} ([channels, height, width], or [size]). Labels are class indices
 * 0 .. k-1 (StringIndexer makes them). Fitting converts each partition into one packed block on
 * the executors (nothing is collected to the driver), checks every row (labels, sizes,
 * NaN) with messages naming the column, and trains with {@code DistributedTrainer}, the trainer
 * of {@code spindle train}. Params and their defaults: {@link SpindleParams}.
 *
 * <p>Saving stores the params like every Spark ML stage; a validation DataFrame set with
 * {@link #setValidationData} is not saved.
 */
public final class SpindleClassifier
    extends ProbabilisticClassifier<Vector, SpindleClassifier, SpindleClassificationModel>
    implements SpindleParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private transient Dataset<?> validationData;

  public SpindleClassifier() {
    this(Identifiable.randomUID("spindleClassifier"));
  }

  /** Used by Spark's reader and copy; the uid names this stage in a pipeline. */
  public SpindleClassifier(String uid) {
    this(Uids.stage(uid), true);
  }

  private SpindleClassifier(String uid, boolean staged) {
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
  public SpindleClassificationModel train(Dataset<?> dataset) {
    SpindleTraining.Fitted f = SpindleTraining.fit(this, getFeaturesCol(), getLabelCol(),
        dataset, validationData, SpindleTraining.Task.CLASSIFICATION);
    return new SpindleClassificationModel(Uids.stage(uid()), f.spec(), f.params(), f.result(),
        SpindleTraining.labelNames(dataset.schema().apply(getLabelCol()), f.spec()));
  }

  @Override
  public SpindleClassifier copy(ParamMap extra) {
    SpindleClassifier copy = defaultCopy(extra);
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

  public static MLReader<SpindleClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static SpindleClassifier load(String path) {
    return read().load(path);
  }

  /** The network as HOCON/JSON of the model section (see {@link SpindleParams#network}). */
  public SpindleClassifier setNetwork(String network) {
    SpindleTraining.parseNetwork(network);
    set(network(), network);
    return this;
  }

  /** The network of a {@link NetworkSpec} (its input shape included). */
  public SpindleClassifier setNetwork(NetworkSpec spec) {
    SpindleTraining.checkClassifier(spec);
    return setNetwork(NetworkConfig.toHocon(spec));
  }

  public SpindleClassifier setInputShape(int... shape) {
    set(inputShape(), MlChecks.shape(shape));
    return this;
  }

  public SpindleClassifier setEpochs(int epochs) {
    set(epochs(), epochs);
    return this;
  }

  public SpindleClassifier setBatchSize(int batchSize) {
    set(batchSize(), batchSize);
    return this;
  }

  public SpindleClassifier setOptimizer(String optimizer) {
    set(optimizer(), optimizer);
    return this;
  }

  public SpindleClassifier setLearningRate(double rate) {
    set(learningRate(), rate);
    return this;
  }

  public SpindleClassifier setMomentum(double momentum) {
    set(momentum(), momentum);
    return this;
  }

  public SpindleClassifier setWeightDecay(double decay) {
    set(weightDecay(), decay);
    return this;
  }

  public SpindleClassifier setOptimizerConfig(String hocon) {
    set(optimizerConfig(), hocon);
    SpindleTraining.optimizerSpec(this);
    return this;
  }

  public SpindleClassifier setSeed(long seed) {
    set(seed(), seed);
    return this;
  }

  public SpindleClassifier setShuffle(boolean shuffle) {
    set(shuffle(), shuffle);
    return this;
  }

  public SpindleClassifier setValidationFraction(double fraction) {
    set(validationFraction(), fraction);
    return this;
  }

  /** Validation data (same columns as the training data); null for none. Not saved. */
  public SpindleClassifier setValidationData(Dataset<?> validation) {
    this.validationData = validation;
    return this;
  }

  public Dataset<?> getValidationData() {
    return validationData;
  }

  public SpindleClassifier setEvalEvery(int epochs) {
    set(evalEvery(), epochs);
    return this;
  }

  public SpindleClassifier setWeightCol(String column) {
    set(weightCol(), column);
    return this;
  }

  public SpindleClassifier setPartitions(int partitions) {
    set(partitions(), partitions);
    return this;
  }

  /** How iterations synchronize: {@code auto} (default), {@code barrier} or {@code job}. */
  public SpindleClassifier setSync(String mode) {
    set(sync(), mode);
    return this;
  }

  public SpindleClassifier setStorageLevel(String level) {
    set(storageLevel(), level);
    return this;
  }

  public SpindleClassifier setTreeDepth(int depth) {
    set(treeDepth(), depth);
    return this;
  }

  public SpindleClassifier setLogEvery(int iterations) {
    set(logEvery(), iterations);
    return this;
  }

  public SpindleClassifier setInferenceBatchSize(int rows) {
    set(inferenceBatchSize(), rows);
    return this;
  }
}
