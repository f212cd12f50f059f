package io.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.spindle.config.JobConfig;
import io.spindle.data.DataSources;
import io.spindle.data.ExampleBlock;
import io.spindle.io.AtomicFiles;
import io.spindle.io.SpindleModel;
import io.spindle.io.chart.ConfusionMatrixChart;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.SparkInference;
import io.spindle.train.ConfusionEvaluator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/** {@code spindle evaluate}: a saved model on data.test, with a confusion matrix. */
final class EvaluateCommand {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final CliArgs args;
  private final PrintStream out;

  EvaluateCommand(CliArgs args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  int run() throws Exception {
    if (args.model == null) {
      throw new CliArgs.UsageException("--model DIR is required");
    }
    SpindleModel model = SpindleModel.load(args.model);
    JobConfig job = ModelJobs.jobFor(model, args);
    Path outDir = JobSupport.prepareOutput(args.output != null ? args.output
        : args.model.toAbsolutePath().getParent());
    ExampleBlock test = DataSources.loadTest(job.data(), model.spec());
    try (JavaSparkContext sc = JobSupport.startSpark(job.spark())) {
      int partitions = Math.min(test.count(),
          job.spark().partitions() > 0 ? job.spark().partitions() : sc.defaultParallelism());
      JavaRDD<ExampleBlock> blocks = BlockRdds.parallelize(sc, test, partitions, StorageLevel.NONE());
      ConfusionEvaluator.Result r = SparkInference.evaluate(sc, model.spec(), model.params(), blocks);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("model", args.model.toString());
      e.put("data", job.data().test());
      e.put("examples", r.metrics().count);
      e.put("loss", r.metrics().meanLoss());
      e.put("accuracy", r.metrics().accuracy());
      AtomicFiles.writeString(outDir.resolve("evaluation.json"), JSON.writeValueAsString(e));
      out.printf("spindle: %,d examples: loss %.5f, accuracy %.2f%%%n", r.metrics().count,
          r.metrics().meanLoss(), 100 * r.metrics().accuracy());
      if (r.confusion() != null) {
        r.confusion().writeCsv(outDir.resolve("confusion-matrix.csv"));
        r.confusion().writePerClassCsv(outDir.resolve("per-class.csv"));
        ConfusionMatrixChart.write(outDir.resolve("confusion-matrix.png"), r.confusion(),
            "Confusion matrix: " + args.model.toAbsolutePath().getParent().getFileName());
        out.println("spindle: wrote confusion-matrix.csv, confusion-matrix.png, per-class.csv, "
            + "evaluation.json in " + outDir);
      }
    }
    return SpindleCli.OK;
  }
}
