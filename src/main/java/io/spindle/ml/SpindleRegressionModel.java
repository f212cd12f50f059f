package io.spindle.ml;

import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.spark.FrameColumns;
import io.spindle.spark.SparkInference;
import io.spindle.train.TrainingResult;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A trained Spindle regressor in Spark ML: {@code transform} adds the prediction column (the
 * network's linear output), computed in batches of {@code inferenceBatchSize} rows per forward
 * pass with the network broadcast once per model ({@link SparkInference#transform}).
 */
public final class SpindleRegressionModel
    extends RegressionModel<Vector, SpindleRegressionModel>
    implements SpindleInferenceParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final NetworkSpec spec;
  private final float[] params;
  private final transient TrainingResult trainingResult;
  private final InferenceCache cache;

  /** A model of a trained network; {@code params} is not copied. */
  public SpindleRegressionModel(String uid, NetworkSpec spec, float[] params) {
    this(Uids.stage(uid), spec, params, null);
  }

  /** For this package: {@code uid} must have been staged with {@link Uids#stage}. */
  SpindleRegressionModel(String uid, NetworkSpec spec, float[] params,
      TrainingResult trainingResult) {
    super();
    this.uid = uid;
    Uids.clear();
    this.spec = spec;
    this.params = params;
    this.trainingResult = trainingResult;
    this.cache = new InferenceCache(spec, params);
    SpindleTraining.checkRegressor(spec);
    initInferenceDefaults();
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  public NetworkSpec spec() {
    return spec;
  }

  /** The trained parameters, the network's flat vector (a copy). */
  public float[] weights() {
    return params.clone();
  }

  /** History and timings of the fit that made this model; null after loading. */
  public TrainingResult trainingResult() {
    return trainingResult;
  }

  /** This model in Spindle's own form (for SpindleModel.save, the CLI's evaluate/predict). */
  public SpindleModel toSpindleModel() {
    return new SpindleModel(spec, params.clone(), com.fasterxml.jackson.databind.node
        .JsonNodeFactory.instance.objectNode());
  }

  /** Writes this model as ONNX (docs/onnx.md): input "input", output "output". */
  public void exportOnnx(java.nio.file.Path file) throws java.io.IOException {
    toSpindleModel().exportOnnx(file);
  }

  /** A regression model from an ONNX file of the operators Spindle imports (docs/onnx.md). */
  public static SpindleRegressionModel fromOnnx(java.nio.file.Path file) throws java.io.IOException {
    SpindleModel m = SpindleModel.importOnnx(file);
    return new SpindleRegressionModel(
        org.apache.spark.ml.util.Identifiable.randomUID("spindleRegressionModel"), m.spec(), m.params());
  }

  public SpindleRegressionModel setInferenceBatchSize(int rows) {
    set(inferenceBatchSize(), rows);
    return this;
  }

  @Override
  public int numFeatures() {
    return spec.inputShape().size();
  }

  /** One example's prediction (for single-row use; transform batches instead). */
  @Override
  public double predict(Vector features) {
    return cache.predictOne(features)[0];
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    if (getPredictionCol().isEmpty()) {
      return dataset.toDF();
    }
    return SparkInference.transform(dataset,
        FrameColumns.of(getFeaturesCol(), "", null, "the features to predict"), out,
        cache.broadcast(dataset.sparkSession()), getInferenceBatchSize(), new ValueOutput());
  }

  @Override
  public SpindleRegressionModel copy(ParamMap extra) {
    SpindleRegressionModel copy = new SpindleRegressionModel(Uids.stage(uid), spec, params,
        trainingResult);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new ModelPersistence.Writer(this, spec, params,
        SpindleTraining.summary(trainingResult));
  }

  @Override
  public void save(String path) throws java.io.IOException {
    write().save(path);
  }

  public static MLReader<SpindleRegressionModel> read() {
    return new ModelPersistence.Reader<>(SpindleRegressionModel.class,
        (uid, m) -> new SpindleRegressionModel(uid, m.spec(), m.params()));
  }

  public static SpindleRegressionModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "SpindleRegressionModel: uid=" + uid + ", numFeatures=" + numFeatures()
        + ", parameters=" + spec.paramCount();
  }

  /** The prediction column: the single linear output. */
  private static final class ValueOutput implements SparkInference.RowOutputs {
    private static final long serialVersionUID = 1L;

    @Override
    public int columns() {
      return 1;
    }

    @Override
    public void write(float[] raw, int j, int k, Object[] values, int at) {
      values[at] = (double) raw[j * k];
    }
  }
}
