package io.spindle.ml;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.spindle.config.NetworkConfig;
import io.spindle.config.TrainingConfig;
import io.spindle.data.BatchSchedule;
import io.spindle.data.ChunkLayout;
import io.spindle.nn.NetworkSpec;
import io.spindle.nn.loss.WeightedLoss;
import io.spindle.optim.Optimizer;
import io.spindle.optim.OptimizerSpec;
import io.spindle.spark.DataFrameBlocks;
import io.spindle.spark.DistributedTrainer;
import io.spindle.spark.FrameColumns;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/**
 * What {@link SpindleClassifier#fit} and {@link SpindleRegressor#fit} share: read the params,
 * build the network, turn the DataFrame into one block per partition on the executors
 * ({@link DataFrameBlocks}), and train with the {@link DistributedTrainer}, the same trainer
 * as {@code spindle train}.
 */
final class SpindleTraining {

  /** The column a missing weight column of the validation data is filled into. */
  private static final String UNIT_WEIGHT = "__spindle_unit_weight";

  private SpindleTraining() {}

  enum Task { CLASSIFICATION, REGRESSION }

  record Fitted(NetworkSpec spec, float[] params, TrainingResult result) {}

  static Fitted fit(SpindleParams p, String featuresCol, String labelCol, Dataset<?> dataset,
      Dataset<?> validation, Task task) {
    Dataset<Row> data = dataset.toDF();
    NetworkSpec spec = network(p, data, featuresCol, task);
    checkLabels(spec, data.schema().apply(labelCol), labelCol, task);
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
    StorageLevel level = StorageLevel.fromString(p.getStorageLevel());
    String weightCol = p.getWeightCol().isEmpty() ? null : p.getWeightCol();

    Dataset<Row> train = data;
    Dataset<Row> test = validation == null ? null : validation.toDF();
    if (test == null && p.getValidationFraction() > 0) {
      Dataset<Row>[] split = data.randomSplit(
          new double[] {1 - p.getValidationFraction(), p.getValidationFraction()}, p.getSeed());
      train = split[0];
      test = split[1];
    }
    int partitions = p.getPartitions() > 0 ? p.getPartitions() : sc.defaultParallelism();
    DataFrameBlocks.Layout layout = DataFrameBlocks.Layout.of(spec, weightCol != null);
    List<DataFrameBlocks.Converted> owned = new ArrayList<>();
    try {
      DataFrameBlocks.Converted trainBlocks = DataFrameBlocks.convert(train,
          FrameColumns.of(featuresCol, labelCol, weightCol, "the training DataFrame"), layout,
          level, partitions, new DataFrameBlocks.Chunking(ChunkLayout.DEFAULT_CHUNK_BYTES,
              p.getShuffle(), p.getSeed()));
      owned.add(trainBlocks);
      DataFrameBlocks.Converted testBlocks = null;
      if (test != null) {
        String testWeight = weightCol;
        if (weightCol != null && !List.of(test.columns()).contains(weightCol)) {
          test = test.withColumn(UNIT_WEIGHT, functions.lit(1.0));
          testWeight = UNIT_WEIGHT;
        }
        testBlocks = DataFrameBlocks.convert(test,
            FrameColumns.of(featuresCol, labelCol, testWeight, "the validation DataFrame"),
            layout, level);
        owned.add(testBlocks);
      }
      NetworkSpec trainSpec = weightCol == null ? spec : new NetworkSpec(spec.inputShape(),
          spec.layers(), new WeightedLoss(spec.loss(), trainBlocks.weightScale()));
      long perEpoch = new BatchSchedule(trainBlocks.sizes(), p.getBatchSize())
          .iterationsPerEpoch();
      Optimizer optimizer = optimizerSpec(p).build(spec.paramCount(), perEpoch * p.getEpochs());
      TrainingOptions options = TrainingOptions.builder()
          .epochs(p.getEpochs()).batchSize(p.getBatchSize()).seed(p.getSeed())
          .shuffle(p.getShuffle()).evalEvery(testBlocks == null ? 0 : p.getEvalEvery())
          .logEvery(p.getLogEvery())
          .build();
      TrainingResult result = new DistributedTrainer(sc, trainSpec, optimizer, options)
          .storageLevel(level).treeDepth(p.getTreeDepth())
          .sync(io.spindle.spark.SyncMode.parse(p.getSync()))
          .fit(trainBlocks.training(), testBlocks == null ? null : testBlocks.blocks(),
              spec.initParams(p.getSeed()));
      return new Fitted(spec, result.params(), result);
    } finally {
      for (DataFrameBlocks.Converted c : owned) {
        c.blocks().unpersist(false);
      }
    }
  }

  /** The optimizer of the params: Spindle's config defaults, optimizerConfig, then the params. */
  static OptimizerSpec optimizerSpec(SpindleParams p) {
    Config training;
    try {
      training = ConfigFactory.parseString(p.getOptimizerConfig());
    } catch (ConfigException e) {
      throw new IllegalArgumentException("optimizerConfig is not valid HOCON: " + e.getMessage());
    }
    training = training
        .withValue("optimizer", ConfigValueFactory.fromAnyRef(p.getOptimizer()))
        .withValue("learning-rate", ConfigValueFactory.fromAnyRef(p.getLearningRate()))
        .withValue("momentum", ConfigValueFactory.fromAnyRef(p.getMomentum()))
        .withValue("weight-decay", ConfigValueFactory.fromAnyRef(p.getWeightDecay()));
    return TrainingConfig.parse(training.atKey("training")).optimizer();
  }

  /**
   * The network of the params, with its input shape: the inputShape param, else the network's
   * own data.input-shape, else the size of the features vectors (column metadata, or the first
   * row).
   */
  static NetworkSpec network(SpindleParams p, Dataset<Row> data, String featuresCol, Task task) {
    Config doc = parseNetwork(p.getNetwork());
    int[] shape = p.getInputShape();
    if (shape.length == 0 && !doc.hasPath("data.input-shape")) {
      shape = new int[] {featureSize(data, featuresCol)};
    }
    if (shape.length > 0) {
      doc = doc.withValue("data.input-shape", ConfigValueFactory.fromIterable(
          java.util.Arrays.stream(shape).boxed().toList()));
    }
    if (task == Task.REGRESSION && !doc.hasPath("model.loss")) {
      doc = doc.withValue("model.loss", ConfigValueFactory.fromAnyRef("mse"));
    }
    NetworkSpec spec = NetworkConfig.parse(doc);
    checkTask(spec, task);
    return spec;
  }

  /** The network string as a config with a {@code model} section. */
  static Config parseNetwork(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("the network is not set; call setNetwork with the "
          + "model section as HOCON (e.g. \"layers = [{type = dense, units = 10}]\") or with a "
          + "NetworkSpec");
    }
    Config parsed;
    try {
      parsed = ConfigFactory.parseString(text);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("the network is not valid HOCON/JSON: " + e.getMessage());
    }
    if (parsed.hasPath("model")) {
      for (String key : parsed.root().keySet()) {
        if (!key.equals("model") && !key.equals("data")) {
          throw new IllegalArgumentException("the network has a key '" + key + "'; it takes the"
              + " model section (loss, layers), bare or under 'model', and data.input-shape");
        }
      }
      if (parsed.hasPath("data")) {
        for (String key : parsed.getConfig("data").root().keySet()) {
          if (!key.equals("input-shape")) {
            throw new IllegalArgumentException("the network's data section may only hold "
                + "input-shape, not '" + key + "'");
          }
        }
      }
      return parsed;
    }
    return parsed.root().atKey("model");
  }

  private static int featureSize(Dataset<Row> data, String featuresCol) {
    StructField f = data.schema().apply(featuresCol);
    int size = AttributeGroup.fromStructField(f).size();
    if (size > 0) {
      return size;
    }
    List<Row> first = data.select(featuresCol).where(functions.col(featuresCol).isNotNull())
        .limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new IllegalArgumentException("the training DataFrame has no rows with features; "
          + "nothing to train on");
    }
    return ((Vector) first.get(0).get(0)).size();
  }

  private static void checkTask(NetworkSpec spec, Task task) {
    if (task == Task.CLASSIFICATION) {
      checkClassifier(spec);
    } else {
      checkRegressor(spec);
    }
  }

  static void checkClassifier(NetworkSpec spec) {
    int k = spec.outputShape().size();
    String loss = spec.loss().name();
    boolean ok = loss.equals("softmax-cross-entropy") && k >= 2
        || loss.equals("binary-cross-entropy") && k == 1;
    if (!ok) {
      throw new IllegalArgumentException("SpindleClassifier needs softmax-cross-entropy with "
          + ">= 2 outputs (one per class) or binary-cross-entropy with 1 output; the network "
          + "has " + loss + " with " + k + " output(s)");
    }
  }

  static void checkRegressor(NetworkSpec spec) {
    int k = spec.outputShape().size();
    String loss = spec.loss().name();
    if (!loss.equals("mse") || k != 1) {
      throw new IllegalArgumentException("SpindleRegressor needs loss mse and 1 output (a linear"
          + " last layer); the network has " + loss + " with " + k + " output(s)");
    }
  }

  /** Class count from the label column's metadata (StringIndexer) against the network. */
  private static void checkLabels(NetworkSpec spec, StructField label, String labelCol, Task task) {
    if (task != Task.CLASSIFICATION) {
      return;
    }
    int outputs = spec.outputShape().size();
    int classes = outputs == 1 ? 2 : outputs;
    Attribute attr = Attribute.fromStructField(label);
    int known = -1;
    if (attr instanceof NominalAttribute n && n.getNumValues().isDefined()) {
      known = (Integer) n.getNumValues().get();
    } else if (attr instanceof BinaryAttribute) {
      known = 2;
    }
    if (known > classes) {
      throw new IllegalArgumentException("the label column '" + labelCol + "' has " + known
          + " classes (its metadata) but the network's last layer has " + outputs
          + " unit(s); give it " + known + " units");
    }
  }

  /**
   * The class names of a label column's metadata (StringIndexer, image folders) when there is
   * one per network class, else null.
   */
  static String[] labelNames(StructField label, NetworkSpec spec) {
    Attribute attr = Attribute.fromStructField(label);
    if (attr instanceof NominalAttribute n && n.values().isDefined()) {
      String[] names = n.values().get();
      int k = spec.outputShape().size();
      return names.length == (k == 1 ? 2 : k) ? names : null;
    }
    return null;
  }

  /** Facts about a fit kept in the saved model's metadata. */
  static Map<String, Object> summary(TrainingResult r) {
    if (r == null) {
      return Map.of();
    }
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("epochs", r.history().size());
    m.put("iterations", r.iterations());
    m.put("examples", r.examples());
    m.put("train_seconds", r.trainSeconds());
    if (r.lastEpoch() != null) {
      m.put("train_loss", r.lastEpoch().trainLoss());
      if (r.lastEpoch().validated()) {
        m.put("validation_loss", r.lastEpoch().testLoss());
        m.put("validation_accuracy", r.lastEpoch().testAccuracy());
      }
    }
    return m;
  }
}
