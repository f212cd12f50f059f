package io.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.spindle.config.JobConfig;
import io.spindle.data.BatchSchedule;
import io.spindle.data.DataSources;
import io.spindle.io.AtomicFiles;
import io.spindle.io.Checkpoint;
import io.spindle.io.CheckpointListener;
import io.spindle.io.CheckpointStore;
import io.spindle.io.SpindleModel;
import io.spindle.io.chart.EpochPoint;
import io.spindle.io.chart.TrainingCurvesChart;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;
import io.spindle.spark.DistributedTrainer;
import io.spindle.spark.FrameSources;
import io.spindle.spark.SyncMode;
import io.spindle.tensor.Blas;
import io.spindle.train.EpochSummary;
import io.spindle.train.MetricsFileListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
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
  private final PrintStream err;

  TrainCommand(CliArgs args, PrintStream out, PrintStream err) {
    this.args = args;
    this.out = out;
    this.err = err;
  }

  int run() throws Exception {
    if (args.output == null) {
      throw new CliArgs.UsageException("--output DIR is required");
    }
    if (args.config == null && args.resume == null) {
      throw new CliArgs.UsageException("--config FILE is required (or --resume CHECKPOINT_DIR)");
    }
    // Everything that can be checked without Spark is checked first; DataFrame formats are
    // read and checked row by row on the executors before training starts.
    Configuration hadoop = JobSupport.hadoopConfiguration();
    if (args.initModel != null && args.resume != null) {
      throw new CliArgs.UsageException("--init-model and --resume cannot be combined; a resumed "
          + "run continues from its checkpoint's weights");
    }
    Resume resume = args.resume == null ? null
        : Resume.open(args, hadoop, w -> err.println("spindle train: warning: " + w));
    SpindleModel initModel = args.initModel == null ? null : SpindleModel.load(args.initModel);
    JobConfig job = resume != null ? resume.job
        : initModel != null ? InitModel.job(args, initModel) : JobSupport.loadJob(args);
    NetworkSpec spec = job.network();
    Path outDir = JobSupport.prepareOutput(args.output);
    CheckpointStore checkpoints = checkpointStore(job, resume, hadoop);
    boolean frames = job.data().isFrameFormat();
    DataSources.Loaded local = frames ? null : DataSources.load(job.data(), spec);
    if (frames) {
      if (resume != null) {
        throw new IllegalArgumentException("--resume needs the training data read by the driver "
            + "(data.format = mnist-idx) to check it is the same; " + job.data().format()
            + " data cannot be resumed yet");
      }
      FrameSources.resolve(job.data().train(), "data.train");
      if (job.data().hasTest()) {
        FrameSources.resolve(job.data().test(), "data.test");
      }
    } else if (resume != null) {
      resume.checkData(local.train(), local.trainPath());
    }
    int configured = resume != null ? resume.partitions() : job.spark().partitions();
    if (local != null) {
      DataSources.checkPartitions(local, configured, false);
    }
    JobConfig.Training t = job.training();
    StorageLevel level = StorageLevel.fromString(job.spark().storageLevel());

    try (JavaSparkContext sc = JobSupport.startSpark(job.spark());
        MetricsFileListener metrics = new MetricsFileListener(outDir.resolve("metrics.csv"),
            outDir.resolve("metrics.jsonl"))) {
      int partitions = configured > 0 ? configured : sc.defaultParallelism();
      if (local != null) {
        DataSources.checkPartitions(local, partitions, configured == 0);
      }
      TrainingInputs in = frames ? TrainingInputs.frames(JobSupport.session(sc), job, partitions, level)
          : TrainingInputs.local(local, partitions);
      try {
        long perEpoch = new BatchSchedule(new long[] {in.trainCount()}, t.batchSize()).iterationsPerEpoch();
        Optimizer optimizer = job.optimizer().build(spec.paramCount(), perEpoch * t.epochs());
        TrainingOptions.Builder options = TrainingOptions.builder()
            .epochs(t.epochs()).batchSize(t.batchSize()).seed(t.seed()).shuffle(t.shuffle())
            .chunkBytes(job.spark().chunkBytes()).shuffleWindow(t.shuffleWindow())
            .evalEvery(in.hasTest() ? t.evalEveryEpochs() : 0).logEvery(t.logEveryIterations());
        float[] init = initModel != null ? initModel.params().clone() : spec.initParams(t.seed());
        List<EpochSummary> earlier = List.of();
        Checkpoint from = resume != null ? resume.checkpoint : null;
        if (from != null) {
          from.resume(options, optimizer);
          init = from.params();
          earlier = from.history();
          metrics.startingWith(earlier);
          out.printf("spindle: resuming from %s: iteration %,d of %,d (epoch %d, step %d)%n",
              from.describe(), from.iteration(), perEpoch * t.epochs(), from.epoch() + 1, from.step());
        }
        options.listener(metrics);
        if (checkpoints != null) {
          JobConfig.Checkpoint c = job.checkpoint();
          CheckpointListener.Builder cb = CheckpointListener.builder(checkpoints)
              .everyIterations(c.everyIterations()).everyEpochs(c.everyEpochs()).keep(c.keep())
              .config(job.asMap()).resumedFrom(from)
              .log(line -> out.println("spindle: " + line));
          if (local != null) {
            cb.dataFingerprint(local.train().fingerprint());
          }
          options.listener(cb.build());
        }
        // The BLAS matters for speed (native OpenBLAS or the Vector API): say which one runs.
        // In local mode the executors share this JVM; on a cluster each executor picks its own.
        out.printf("spindle: training %,d parameters on %,d examples, %d partitions, master %s,"
            + " %s %s%n", spec.paramCount(), in.trainCount(), partitions, sc.master(),
            sc.isLocal() ? "BLAS" : "driver BLAS", Blas.backendName());
        DistributedTrainer trainer = new DistributedTrainer(sc, spec, optimizer, options.build())
            .partitions(partitions).storageLevel(level)
            .sync(SyncMode.parse(job.spark().sync()));
        TrainingResult result = in.fit(trainer, init);

        List<EpochSummary> history = new ArrayList<>(earlier);
        history.addAll(result.history());
        Map<String, Object> summary = summary(job, result, history, sc.master(), partitions);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("created", Instant.now().toString());
        metadata.put("training", summary);
        if (initModel != null) {
          metadata.put("init-model", args.initModel.toString());
        }
        if (in.classes() != null) {
          metadata.put("classes", in.classes());
        }
        saveModel(outDir.resolve("model"), spec, result.params(), metadata, checkpoints);
        AtomicFiles.writeString(outDir.resolve("summary.json"), JSON.writeValueAsString(summary));
        List<EpochPoint> points = history.stream()
            .map(e -> new EpochPoint(e.epoch(), e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy()))
            .toList();
        TrainingCurvesChart.write(outDir.resolve("training-curves.png"), points,
            "Spindle: " + (args.config != null ? args.config.getFileName() : "training"));
        EpochSummary last = history.isEmpty() ? null : history.get(history.size() - 1);
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

  /**
   * The checkpoint directory, proven writable: checkpoint.dir, or when resuming the --resume
   * directory (so a moved checkpoint directory keeps its checkpoints together) unless
   * checkpoint.dir is set with --set. Null when checkpoints are off.
   */
  private CheckpointStore checkpointStore(JobConfig job, Resume resume, Configuration hadoop) {
    boolean dirOverridden = args.overrides.stream().anyMatch(o -> o.strip().startsWith("checkpoint.dir"));
    boolean intoResumeDir = resume != null && !dirOverridden;
    if (!intoResumeDir && !job.checkpoint().enabled()) {
      return null;
    }
    try {
      CheckpointStore store = intoResumeDir ? resume.store
          : CheckpointStore.open(job.checkpoint().dir(), hadoop);
      store.prepare();
      if (resume == null) {
        store.requireNoCheckpoints();
      }
      return store;
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage() + (intoResumeDir
          ? " (the --resume directory receives the new checkpoints, unless --set checkpoint.dir=...)"
          : ""));
    }
  }

  /** Saves the model; a failure (full disk, lost folder) names what is still safe. */
  private static void saveModel(Path dir, NetworkSpec spec, float[] params,
      Map<String, Object> metadata, CheckpointStore checkpoints) {
    try {
      SpindleModel.save(dir, spec, params, metadata);
    } catch (IOException | UncheckedIOException e) {
      Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
      throw new IllegalStateException("cannot save the model to " + dir + ": "
          + UserErrors.describe(cause) + "; any earlier model there is intact"
          + (checkpoints != null ? "; the trained weights are in the final checkpoint in "
              + checkpoints.location() + ": free space, then run again with --resume "
              + checkpoints.location() : ""), e);
    }
  }

  private static Map<String, Object> summary(JobConfig job, TrainingResult r,
      List<EpochSummary> history, String master, int partitions) {
    EpochSummary last = history.isEmpty() ? null : history.get(history.size() - 1);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("test_accuracy", last != null && last.validated() ? last.testAccuracy() : null);
    s.put("test_loss", last != null && last.validated() ? last.testLoss() : null);
    s.put("train_accuracy", last != null ? last.trainAccuracy() : null);
    s.put("train_loss", last != null ? last.trainLoss() : null);
    s.put("epochs", history.size());
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
