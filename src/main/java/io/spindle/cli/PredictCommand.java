package io.spindle.cli;

import io.spindle.config.JobConfig;
import io.spindle.data.DataSources;
import io.spindle.data.ExampleBlock;
import io.spindle.io.AtomicFiles;
import io.spindle.io.SpindleModel;
import io.spindle.spark.BlockRdds;
import io.spindle.spark.SparkInference;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code spindle predict}: a saved model's predictions for data.test, as CSV: index, label
 * (the data's target), prediction (class or value), then one column per output.
 */
final class PredictCommand {

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
    SpindleModel model = SpindleModel.load(args.model);
    JobConfig job = ModelJobs.jobFor(model, args);
    Path outDir = JobSupport.prepareOutput(args.output);
    ExampleBlock data = DataSources.loadTest(job.data(), model.spec());
    try (JavaSparkContext sc = JobSupport.startSpark(job.spark())) {
      int partitions = Math.min(data.count(),
          job.spark().partitions() > 0 ? job.spark().partitions() : sc.defaultParallelism());
      List<SparkInference.Predictions> parts = SparkInference.predict(sc, model.spec(),
          model.params(), BlockRdds.parallelize(sc, data, partitions, StorageLevel.NONE()), 256);
      boolean classifier = model.spec().loss().isClassification();
      StringBuilder csv = new StringBuilder("index,label,prediction");
      int outputs = model.spec().outputShape().size();
      for (int k = 0; k < outputs; k++) {
        csv.append(classifier ? ",p" : ",y").append(k);
      }
      csv.append('\n');
      long index = 0;
      for (SparkInference.Predictions p : parts) {
        for (int i = 0; i < p.count(); i++, index++) {
          int off = i * outputs;
          csv.append(index).append(',').append(label(p, i)).append(',');
          if (classifier) {
            csv.append(p.classes()[i]);
          } else {
            csv.append(p.values()[off]);
          }
          for (int k = 0; k < outputs; k++) {
            csv.append(',').append(p.values()[off + k]);
          }
          csv.append('\n');
        }
      }
      Path file = outDir.resolve("predictions.csv");
      AtomicFiles.writeString(file, csv.toString());
      out.printf("spindle: wrote %,d predictions to %s%n", index, file);
    }
    return SpindleCli.OK;
  }

  private static String label(SparkInference.Predictions p, int i) {
    float t = p.targets()[i * p.targetSize()];
    return t == Math.rint(t) ? String.valueOf((long) t) : String.valueOf(t);
  }
}
