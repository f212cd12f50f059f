package io.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.spindle.config.JobConfig;
import io.spindle.config.SpindleConfigException;
import io.spindle.data.DataSources;
import io.spindle.data.ExampleBlock;
import io.spindle.io.AtomicFiles;
import io.spindle.io.SpindleModel;
import io.spindle.io.chart.ConfusionMatrixChart;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.DistributedBlocks;
import io.spindle.spark.FrameSources;
import io.spindle.spark.SparkInference;
import io.spindle.train.ConfusionEvaluator;
import io.spindle.train.ConfusionMatrix;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
    JobConfig.Data d = job.data();
    ExampleBlock test = d.isFrameFormat() ? null : DataSources.loadTest(d, model.spec());
    if (d.isFrameFormat() && !d.hasTest()) {
      throw new SpindleConfigException("data.test", "data.test is empty; set it to the data to "
          + "evaluate, e.g. --set data.test=data/test.csv");
    }
    DistributedBlocks distributed = null;
    try (JavaSparkContext sc = JobSupport.startSpark(job.spark())) {
      JavaRDD<ExampleBlock> blocks;
      if (test != null) {
        int partitions = Math.min(test.count(),
            job.spark().partitions() > 0 ? job.spark().partitions() : sc.defaultParallelism());
        // Each block travels once, as a broadcast, not inside the tasks.
        distributed = BlockRdds.distribute(sc, test, partitions, StorageLevel.NONE());
        blocks = distributed.rdd();
      } else {
        // Packed and checked on the executors, like training data.
        FrameSources.Frame frame = FrameSources.read(JobSupport.session(sc), d,
            FrameSources.resolve(d.test(), "data.test"), "data.test", model.spec(),
            ModelJobs.classes(model));
        blocks = FrameSources.blocks(frame, model.spec(), d.testLimit(), 0,
            StorageLevel.MEMORY_AND_DISK(), null).blocks();
      }
      ConfusionEvaluator.Result r = SparkInference.evaluate(sc, model.spec(), model.params(), blocks);
      blocks.unpersist(false);
      if (distributed != null) {
        distributed.close();
      }
      ConfusionMatrix confusion = r.confusion();
      List<String> names = confusion == null ? null
          : ModelJobs.classLabels(model, confusion.classes());
      if (names != null) {
        confusion = confusion.withLabels(names);
      }
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("model", args.model.toString());
      e.put("data", job.data().test());
      e.put("examples", r.metrics().count);
      e.put("loss", r.metrics().meanLoss());
      e.put("accuracy", r.metrics().accuracy());
      AtomicFiles.writeString(outDir.resolve("evaluation.json"), JSON.writeValueAsString(e));
      out.printf("spindle: %,d examples: loss %.5f, accuracy %.2f%%%n", r.metrics().count,
          r.metrics().meanLoss(), 100 * r.metrics().accuracy());
      if (names != null) {
        out.println("spindle: recall per class: " + perClass(confusion, 20));
      }
      if (confusion != null) {
        confusion.writeCsv(outDir.resolve("confusion-matrix.csv"));
        confusion.writePerClassCsv(outDir.resolve("per-class.csv"));
        ConfusionMatrixChart.write(outDir.resolve("confusion-matrix.png"), confusion,
            "Confusion matrix: " + args.model.toAbsolutePath().getParent().getFileName());
        out.println("spindle: wrote confusion-matrix.csv, confusion-matrix.png, per-class.csv, "
            + "evaluation.json in " + outDir);
      }
    }
    return SpindleCli.OK;
  }

  /** "cat 95.0%, dog 97.5%, ..." for the first {@code max} classes. */
  static String perClass(ConfusionMatrix m, int max) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < Math.min(max, m.classes()); c++) {
      double recall = m.recall(c);
      sb.append(c == 0 ? "" : ", ").append(m.label(c)).append(' ')
          .append(Double.isNaN(recall) ? "n/a" : String.format("%.1f%%", 100 * recall));
    }
    return m.classes() > max ? sb + ", ... (" + m.classes() + " classes)" : sb.toString();
  }
}
