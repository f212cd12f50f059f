package io.spindle.ml;

import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.spark.FrameColumns;
import io.spindle.spark.SparkInference;
import io.spindle.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.ml.util.SchemaUtils;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A trained Spindle classifier in Spark ML: {@code transform} adds the rawPrediction (logits),
 * probability (softmax) and prediction (class index) columns, each only when its column param
 * is non-empty, like every ProbabilisticClassificationModel. Inference is batched
 * ({@link SparkInference#transform}): the network and weights are broadcast once per model and
 * each task runs {@code inferenceBatchSize} rows per forward pass.
 *
 * <p>A one-output network (binary-cross-entropy) is a binary classifier: rawPrediction is
 * [-z, z] for the logit z, probability [1 - sigmoid(z), sigmoid(z)], as Spark's logistic
 * regression. {@code thresholds}, when set, pick the class as in Spark (largest
 * probability / threshold).
 */
public final class SpindleClassificationModel
    extends ProbabilisticClassificationModel<Vector, SpindleClassificationModel>
    implements SpindleInferenceParams, MLWritable {

  private static final long serialVersionUID = 1L;

  private String uid;
  private final NetworkSpec spec;
  private final float[] params;
  private final transient TrainingResult trainingResult;
  private final String[] labels;
  private final InferenceCache cache;

  /** A model of a trained network; {@code params} is not copied. */
  public SpindleClassificationModel(String uid, NetworkSpec spec, float[] params) {
    this(Uids.stage(uid), spec, params, null, null);
  }

  /**
   * For this package: {@code uid} must have been staged with {@link Uids#stage}.
   *
   * @param labels class names (from the training labels' metadata), or null
   */
  SpindleClassificationModel(String uid, NetworkSpec spec, float[] params,
      TrainingResult trainingResult, String[] labels) {
    super();
    this.uid = uid;
    Uids.clear();
    this.spec = spec;
    this.params = params;
    this.trainingResult = trainingResult;
    this.labels = labels == null ? null : labels.clone();
    this.cache = new InferenceCache(spec, params);
    SpindleTraining.checkClassifier(spec);
    initInferenceDefaults();
  }

  @Override
  public String uid() {
    return uid != null ? uid : Uids.pending();
  }

  /** The network (architecture). */
  public NetworkSpec spec() {
    return spec;
  }

  /** The trained parameters, the network's flat vector (a copy). */
  public float[] weights() {
    return params.clone();
  }

  /**
   * The class names, when the training labels carried them (StringIndexer, image folders), else
   * null. They go into the prediction column's metadata, so IndexToString needs no labels.
   */
  public String[] labels() {
    return labels == null ? null : labels.clone();
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

  /**
   * Writes this model as ONNX (docs/onnx.md): input "input", outputs "logits" (rawPrediction's
   * source) and "probabilities"; the labels, when known, are the class names.
   */
  public void exportOnnx(java.nio.file.Path file) throws java.io.IOException {
    com.fasterxml.jackson.databind.node.ObjectNode meta = com.fasterxml.jackson.databind.node
        .JsonNodeFactory.instance.objectNode();
    if (labels != null) {
      java.util.Arrays.stream(labels).forEach(meta.putArray("classes")::add);
    }
    new SpindleModel(spec, params, meta).exportOnnx(file);
  }

  /**
   * A classification model from an ONNX file of the operators Spindle imports (docs/onnx.md),
   * e.g. one trained elsewhere, to score a DataFrame or to fine-tune from. Class names in the
   * file's metadata become {@link #labels()}.
   */
  public static SpindleClassificationModel fromOnnx(java.nio.file.Path file) throws java.io.IOException {
    SpindleModel m = SpindleModel.importOnnx(file);
    com.fasterxml.jackson.databind.JsonNode classes = m.metadata().path("classes");
    String[] names = null;
    if (classes.isArray()) {
      names = new String[classes.size()];
      for (int i = 0; i < names.length; i++) {
        names[i] = classes.get(i).asText();
      }
    }
    return new SpindleClassificationModel(Uids.stage(org.apache.spark.ml.util.Identifiable.randomUID("spindleClassificationModel")),
        m.spec(), m.params(), null, names);
  }

  public SpindleClassificationModel setInferenceBatchSize(int rows) {
    set(inferenceBatchSize(), rows);
    return this;
  }

  /**
   * Spark's summary hook, declared by two superclasses with Scala's covariant tuple types that
   * Java sees as a clash; this resolves it to the probabilistic one.
   */
  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return super.findSummaryModel();
  }

  @Override
  public int numClasses() {
    int k = spec.outputShape().size();
    return k == 1 ? 2 : k;
  }

  @Override
  public int numFeatures() {
    return spec.inputShape().size();
  }

  /** One example's raw prediction (for single-row use; transform batches instead). */
  @Override
  public Vector predictRaw(Vector features) {
    return new DenseVector(rawOf(cache.predictOne(features), spec.outputShape().size()));
  }

  @Override
  public Vector raw2probabilityInPlace(Vector raw) {
    double[] v = ((DenseVector) raw).values();
    if (v.length == 2 && spec.outputShape().size() == 1) {
      double p = 1.0 / (1.0 + Math.exp(-v[1]));
      v[0] = 1.0 - p;
      v[1] = p;
    } else {
      softmaxInPlace(v);
    }
    return raw;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    StructType out = super.transformSchema(schema);
    if (labels == null || getPredictionCol().isEmpty()) {
      return out;
    }
    StructField named = NominalAttribute.defaultAttr().withName(getPredictionCol())
        .withValues(labels).toStructField();
    return SchemaUtils.updateField(out, named, true);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    StructType in = dataset.schema();
    List<String> added = new ArrayList<>();
    for (int i = in.size(); i < out.size(); i++) {
      added.add(out.fields()[i].name());
    }
    if (added.isEmpty()) {
      return dataset.toDF();
    }
    int[] kinds = new int[added.size()];
    for (int i = 0; i < kinds.length; i++) {
      String name = added.get(i);
      kinds[i] = name.equals(getPredictionCol()) ? ClassOutputs.PREDICTION
          : name.equals(getRawPredictionCol()) ? ClassOutputs.RAW : ClassOutputs.PROBABILITY;
    }
    double[] thresholds = isDefined(thresholds()) ? getThresholds() : null;
    return SparkInference.transform(dataset,
        FrameColumns.of(getFeaturesCol(), "", null, "the features to predict"), out,
        cache.broadcast(dataset.sparkSession()), getInferenceBatchSize(),
        new ClassOutputs(kinds, thresholds));
  }

  @Override
  public SpindleClassificationModel copy(ParamMap extra) {
    SpindleClassificationModel copy = new SpindleClassificationModel(Uids.stage(uid), spec,
        params, trainingResult, labels);
    return copyValues(copy, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>(
        SpindleTraining.summary(trainingResult));
    if (labels != null) {
      facts.put("labels", java.util.List.of(labels));
    }
    return new ModelPersistence.Writer(this, spec, params, facts);
  }

  @Override
  public void save(String path) throws java.io.IOException {
    write().save(path);
  }

  public static MLReader<SpindleClassificationModel> read() {
    return new ModelPersistence.Reader<>(SpindleClassificationModel.class,
        (uid, m) -> new SpindleClassificationModel(Uids.stage(uid), m.spec(), m.params(), null,
            ModelPersistence.labels(m)));
  }

  public static SpindleClassificationModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "SpindleClassificationModel: uid=" + uid + ", numClasses=" + numClasses()
        + ", numFeatures=" + numFeatures() + ", parameters=" + spec.paramCount();
  }

  /** Raw prediction vector of one example from the network's k outputs. */
  static double[] rawOf(float[] out, int k) {
    if (k == 1) {
      return new double[] {-out[0], out[0]};
    }
    double[] v = new double[k];
    for (int i = 0; i < k; i++) {
      v[i] = out[i];
    }
    return v;
  }

  static void softmaxInPlace(double[] v) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      max = Math.max(max, x);
    }
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.exp(v[i] - max);
      sum += v[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= sum;
    }
  }

  /** The classifier's new columns from a batch's raw outputs; runs on the executors. */
  static final class ClassOutputs implements SparkInference.RowOutputs {
    private static final long serialVersionUID = 1L;
    static final int PREDICTION = 0;
    static final int RAW = 1;
    static final int PROBABILITY = 2;

    private final int[] kinds;
    private final double[] thresholds;

    ClassOutputs(int[] kinds, double[] thresholds) {
      this.kinds = kinds;
      this.thresholds = thresholds;
    }

    @Override
    public int columns() {
      return kinds.length;
    }

    @Override
    public void write(float[] raw, int j, int k, Object[] values, int at) {
      double[] logits = new double[k == 1 ? 2 : k];
      if (k == 1) {
        logits[0] = -raw[j];
        logits[1] = raw[j];
      } else {
        for (int i = 0; i < k; i++) {
          logits[i] = raw[j * k + i];
        }
      }
      double[] prob = logits.clone();
      if (k == 1) {
        double p = 1.0 / (1.0 + Math.exp(-raw[j]));
        prob[0] = 1.0 - p;
        prob[1] = p;
      } else {
        softmaxInPlace(prob);
      }
      for (int c = 0; c < kinds.length; c++) {
        values[at + c] = switch (kinds[c]) {
          case RAW -> new DenseVector(logits);
          case PROBABILITY -> new DenseVector(prob);
          default -> predict(logits, prob);
        };
      }
    }

    /** Argmax of the raw output, or with thresholds Spark's argmax of probability / threshold. */
    private double predict(double[] logits, double[] prob) {
      int best = 0;
      if (thresholds == null) {
        for (int i = 1; i < logits.length; i++) {
          if (logits[i] > logits[best]) {
            best = i;
          }
        }
        return best;
      }
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < prob.length; i++) {
        double t = thresholds[i];
        double score = t == 0.0 ? Double.POSITIVE_INFINITY : prob[i] / t;
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
      return best;
    }
  }
}
