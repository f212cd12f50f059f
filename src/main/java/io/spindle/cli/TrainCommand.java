package io.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.spindle.config.JobConfig;
import io.spindle.data.BatchSchedule;
import io.spindle.data.DataSources;
import io.spindle.io.AtomicFiles;
import io.spindle.io.SpindleModel;
import io.spindle.io.chart.EpochPoint;
import io.spindle.io.chart.TrainingCurvesChart;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;
import io.spindle.spark.DistributedTrainer;
import io.spindle.spark.FrameSources;
import io.spindle.train.EpochSummary;
import io.spindle.train.MetricsFileListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code spindle train}: validate everything, train on Spark, then write the output contract
 * (model/, metrics.csv + metrics.jsonl, summary.json, training-curves.png).
 */
final class TrainCommand {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final CliArgs args;
  private final PrintStream out;

  TrainCommand(CliArgs args, PrintStream out) {
    this.args = args;
    this.out = out;
  }

  int run() throws Exception {
    if (args.output == null) {
      throw new CliArgs.UsageException("--output DIR is required");
    }
    // Everything that can be checked without Spark is checked first; DataFrame formats are
    // read and checked row by row on the executors before training starts.
    JobConfig job = JobSupport.loadJob(args);
    NetworkSpec spec = job.network();
    Path outDir = JobSupport.prepareOutput(args.output);
    boolean frames = job.data().isFrameFormat();
    DataSources.Loaded local = frames ? null : DataSources.load(job.data(), spec);
    if (frames) {
      FrameSources.resolve(job.data().train(), "data.train");
      if (job.data().hasTest()) {
        FrameSources.resolve(job.data().test(), "data.test");
      }
    }
    JobConfig.Training t = job.training();
    StorageLevel level = StorageLevel.fromString(job.spark().storageLevel());

    try (JavaSparkContext sc = JobSupport.startSpark(job.spark());
        MetricsFileListener metrics = new MetricsFileListener(outDir.resolve("metrics.csv"),
            outDir.resolve("metrics.jsonl"))) {
      int partitions = job.spark().partitions() > 0 ? job.spark().partitions() : sc.defaultParallelism();
      TrainingInputs in = frames ? TrainingInputs.frames(JobSupport.session(sc), job, partitions, level)
          : TrainingInputs.local(local, partitions);
      try {
        long perEpoch = new BatchSchedule(new long[] {in.trainCount()}, t.batchSize()).iterationsPerEpoch();
        Optimizer optimizer = job.optimizer().build(spec.paramCount(), perEpoch * t.epochs());
        TrainingOptions options = TrainingOptions.builder()
            .epochs(t.epochs()).batchSize(t.batchSize()).seed(t.seed()).shuffle(t.shuffle())
            .evalEvery(in.hasTest() ? t.evalEveryEpochs() : 0).logEvery(t.logEveryIterations())
            .listener(metrics)
            .build();
        out.printf("spindle: training %,d parameters on %,d examples, %d partitions, master %s%n",
            spec.paramCount(), in.trainCount(), partitions, sc.master());
        DistributedTrainer trainer = new DistributedTrainer(sc, spec, optimizer, options)
            .partitions(partitions).storageLevel(level);
        TrainingResult result = in.fit(trainer, spec.initParams(t.seed()));

        Map<String, Object> summary = summary(job, result, sc.master(), partitions);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("created", Instant.now().toString());
        metadata.put("training", summary);
        if (in.classes() != null) {
          metadata.put("classes", in.classes());
        }
        SpindleModel.save(outDir.resolve("model"), spec, result.params(), metadata);
        AtomicFiles.writeString(outDir.resolve("summary.json"), JSON.writeValueAsString(summary));
        List<EpochPoint> points = result.history().stream()
            .map(e -> new EpochPoint(e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy()))
            .toList();
        TrainingCurvesChart.write(outDir.resolve("training-curves.png"), points,
            "Spindle: " + (args.config != null ? args.config.getFileName() : "training"));
        EpochSummary last = result.lastEpoch();
        out.printf("spindle: done in %.1f s (%.0f images/s); test accuracy %s; outputs in %s%n",
            result.elapsedSeconds(), result.imagesPerSecond(),
            last != null && last.validated() ? String.format("%.2f%%", 100 * last.testAccuracy()) : "n/a",
            outDir);
      } finally {
        in.close();
      }
    }
    return SpindleCli.OK;
  }

  private static Map<String, Object> summary(JobConfig job, TrainingResult r, String master, int partitions) {
    EpochSummary last = r.lastEpoch();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("test_accuracy", last != null && last.validated() ? last.testAccuracy() : null);
    s.put("test_loss", last != null && last.validated() ? last.testLoss() : null);
    s.put("train_accuracy", last != null ? last.trainAccuracy() : null);
    s.put("train_loss", last != null ? last.trainLoss() : null);
    s.put("epochs", r.history().size());
    s.put("iterations", r.iterations());
    s.put("examples", r.examples());
    s.put("train_seconds", r.trainSeconds());
    s.put("elapsed_seconds", r.elapsedSeconds());
    s.put("images_per_second", r.imagesPerSecond());
    s.put("master", master);
    s.put("partitions", partitions);
    s.put("parameters", job.network().paramCount());
    s.put("config", job.asMap());
    return s;
  }
}
