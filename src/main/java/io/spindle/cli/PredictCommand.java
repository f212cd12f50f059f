package io.spindle.cli;

import io.spindle.config.JobConfig;
import io.spindle.config.SpindleConfigException;
import io.spindle.data.DataSources;
import io.spindle.data.ExampleBlock;
import io.spindle.io.SpindleModel;
import io.spindle.nn.NetworkSpec;
import io.spindle.spark.BlockFrames;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.DistributedBlocks;
import io.spindle.spark.FrameColumns;
import io.spindle.spark.FrameSources;
import io.spindle.spark.NetworkOutputs;
import io.spindle.spark.SparkInference;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code spindle predict}: a saved model's predictions for data.test, computed on the executors
 * with the same batched inference as the Spark ML models ({@link SparkInference#transform}) and
 * written by Spark as CSV (with a header) or Parquet: {@code DIR/predictions.csv/} or
 * {@code DIR/predictions.parquet/}, Spark's folder of part files. Columns: index (row number in
 * the data), origin (image formats), label (when the data has one), prediction (class or
 * value), then p0.. (probabilities) or y0.. (regression outputs). A model trained on named
 * classes (image folders, text labels) writes label and prediction as the names.
 */
final class PredictCommand {

  static final List<String> FORMATS = List.of("csv", "parquet");

  private final CliArgs args;
  private final PrintStream out;

  PredictCommand(CliArgs args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  int run() throws Exception {
    if (args.model == null) {
      throw new CliArgs.UsageException("--model DIR is required");
    }
    if (args.output == null) {
      throw new CliArgs.UsageException("--output DIR is required");
    }
    String format = args.format == null ? "csv" : args.format;
    if (!FORMATS.contains(format)) {
      throw new CliArgs.UsageException("--format must be csv or parquet, got '" + format + "'");
    }
    SpindleModel model = SpindleModel.load(args.model);
    NetworkSpec spec = model.spec();
    JobConfig job = ModelJobs.jobFor(model, args);
    JobConfig.Data d = job.data();
    Path outDir = JobSupport.prepareOutput(args.output);
    ExampleBlock local = d.isFrameFormat() ? null : DataSources.loadTest(d, spec);
    if (d.isFrameFormat() && !d.hasTest()) {
      throw new SpindleConfigException("data.test", "data.test is empty; set it to the data to "
          + "predict, e.g. --set data.test=data/test.csv");
    }
    DistributedBlocks distributed = null;
    try (JavaSparkContext sc = JobSupport.startSpark(job.spark())) {
      SparkSession spark = JobSupport.session(sc);
      Dataset<Row> input;
      FrameColumns cols;
      String origin = null;
      if (local != null) {
        int partitions = Math.min(local.count(),
            job.spark().partitions() > 0 ? job.spark().partitions() : sc.defaultParallelism());
        long[] sizes = new long[partitions];
        for (int i = 0; i < partitions; i++) {
          // As ExampleBlock.split, which parallelize uses.
          sizes[i] = (long) local.count() * (i + 1) / partitions - (long) local.count() * i / partitions;
        }
        // Each block travels once, as a broadcast, not inside the tasks.
        distributed = BlockRdds.distribute(sc, local, partitions, StorageLevel.NONE());
        input = BlockFrames.toDataFrame(spark, distributed.rdd(), BlockFrames.offsets(sizes));
        cols = FrameColumns.of(BlockFrames.FEATURES, BlockFrames.LABEL, null, "data.test");
      } else {
        FrameSources.Frame f = FrameSources.read(spark, d,
            FrameSources.resolve(d.test(), "data.test"), "data.test", spec,
            ModelJobs.classes(model));
        Dataset<Row> df = d.testLimit() > 0 ? f.data().limit(d.testLimit()) : f.data();
        input = withIndex(spark, df);
        cols = f.columns();
        origin = d.format().equals("image") ? "origin" : null;
      }
      NetworkOutputs outputs = new NetworkOutputs(spec.loss(), spec.outputShape().size());
      StructType schema = input.schema();
      for (StructField field : outputs.fields()) {
        schema = schema.add(field);
      }
      Broadcast<SparkInference.NetworkParams> net =
          sc.broadcast(new SparkInference.NetworkParams(spec, model.params()));
      sc.setJobDescription("spindle predict");
      Dataset<Row> predicted = SparkInference.transform(input, cols, schema, net,
          SparkInference.DEFAULT_BATCH, outputs);
      List<String> names = spec.loss().isClassification()
          ? ModelJobs.classLabels(model, spec.outputShape().size()) : null;
      List<Column> select = new ArrayList<>();
      select.add(functions.col(BlockFrames.INDEX));
      if (origin != null) {
        select.add(functions.col(origin));
      }
      if (List.of(input.columns()).contains(cols.label())) {
        Column label = functions.col(cols.label());
        boolean text = input.schema().apply(cols.label()).dataType().equals(DataTypes.StringType);
        select.add((names != null && !text ? className(label, names) : label).as("label"));
      }
      for (StructField field : outputs.fields()) {
        Column c = functions.col(field.name());
        select.add(names != null && field.name().equals("prediction")
            ? className(c, names).as("prediction") : c);
      }
      Path file = outDir.resolve("predictions." + format);
      var writer = predicted.select(select.toArray(Column[]::new)).write().mode(SaveMode.Overwrite);
      if (format.equals("csv")) {
        writer.option("header", true).csv(file.toString());
      } else {
        writer.parquet(file.toString());
      }
      net.destroy();
      if (distributed != null) {
        distributed.close();
      }
      out.printf("spindle: wrote predictions to %s (%s, one part file per partition)%n", file,
          format);
      if (names != null) {
        out.println("spindle: label and prediction are class names; p0.." + "p"
            + (names.size() - 1) + " are the probabilities of " + shortList(names) + ", in order");
      }
    }
    return SpindleCli.OK;
  }

  /** The class name of a class-index column (an index outside the names stays a number). */
  static Column className(Column index, List<String> names) {
    Column[] lits = names.stream().map(functions::lit).toArray(Column[]::new);
    Column i = index.cast(DataTypes.IntegerType);
    return functions.when(i.geq(0).and(i.lt(names.size())),
            functions.element_at(functions.array(lits), i.plus(1)))
        .otherwise(index.cast(DataTypes.StringType));
  }

  private static String shortList(List<String> names) {
    return names.size() <= 12 ? String.join(", ", names)
        : String.join(", ", names.subList(0, 10)) + ", ... (" + names.size() + " classes)";
  }

  /** The rows with their position in the data as a first column, index. */
  static Dataset<Row> withIndex(SparkSession spark, Dataset<Row> df) {
    StructType schema = new StructType()
        .add(DataTypes.createStructField(BlockFrames.INDEX, DataTypes.LongType, false));
    for (StructField f : df.schema().fields()) {
      schema = schema.add(f);
    }
    JavaRDD<Row> rows = df.javaRDD().zipWithIndex().map(t -> {
      Row r = t._1();
      Object[] v = new Object[r.size() + 1];
      v[0] = t._2();
      for (int i = 0; i < r.size(); i++) {
        v[i + 1] = r.get(i);
      }
      return RowFactory.create(v);
    });
    return spark.createDataFrame(rows, schema);
  }
}
