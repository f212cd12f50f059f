package io.spindle.io;

import io.spindle.config.NetworkConfig;
import io.spindle.data.BatchSchedule;
import io.spindle.train.EpochSummary;
import io.spindle.train.Metrics;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Writes a {@link Checkpoint} every N iterations and/or every N epochs, and once at the end,
 * keeping the newest K. For example:
 *
 * <pre>{@code
 * CheckpointStore store = CheckpointStore.open("hdfs://nn/runs/lenet/ckpt", sc.hadoopConfiguration());
 * TrainingOptions.Builder b = TrainingOptions.builder().epochs(10).batchSize(64).seed(42);
 * float[] init = spec.initParams(42);
 * Checkpoint resumed = null;
 * if (!store.list().isEmpty()) {            // resume: newest valid checkpoint
 *   resumed = store.latestValid(System.err::println);
 *   resumed.resume(b, optimizer);          // start iteration, optimizer state
 *   init = resumed.params();
 * }
 * b.listener(CheckpointListener.builder(store).everyEpochs(1).keep(3).resumedFrom(resumed).build());
 * new DistributedTrainer(sc, spec, optimizer, b.build()).fit(train, test, init);
 * }</pre>
 *
 * <p>A checkpoint taken by iteration count at the last step of an epoch is written at the end
 * of that epoch instead (after validation), so the epoch's summary is in it. Writing runs on
 * the driver between iterations (training waits), so the live arrays are written as they are.
 * A failed write stops training with a {@link CheckpointWriteException}: the earlier
 * checkpoints are intact, and continuing without the promised checkpoints would risk more
 * work than the user agreed to lose.
 */
public final class CheckpointListener implements TrainingListener {

  private final CheckpointStore store;
  private final int everyIterations;
  private final int everyEpochs;
  private final int keep;
  private final Map<String, Object> config;
  private final String dataFingerprint;
  private final Checkpoint resumedFrom;
  private final Consumer<String> log;
  private final List<EpochSummary> history = new ArrayList<>();
  private long lastWritten = -1;
  private boolean dueAtEpochEnd;

  private CheckpointListener(Builder b) {
    this.store = b.store;
    this.everyIterations = b.everyIterations;
    this.everyEpochs = b.everyEpochs;
    this.keep = b.keep;
    this.config = b.config;
    this.dataFingerprint = b.dataFingerprint;
    this.resumedFrom = b.resumedFrom;
    this.log = b.log;
  }

  public static Builder builder(CheckpointStore store) {
    return new Builder(store);
  }

  public CheckpointStore store() {
    return store;
  }

  /** The checkpoint iteration most recently written by this listener, or -1. */
  public long lastWritten() {
    return lastWritten;
  }

  @Override
  public void onTrainingStart(TrainingContext ctx) {
    if (resumedFrom != null) {
      checkSameRun(ctx);
      history.addAll(resumedFrom.history());
      lastWritten = resumedFrom.iteration();
    }
    try {
      store.prepare();
      if (resumedFrom == null) {
        store.requireNoCheckpoints();
      }
    } catch (IOException e) {
      throw new CheckpointWriteException(CheckpointStore.reason(e), e);
    }
  }

  /** Exact resume needs exactly the same batches: the same schedule, network and optimizer. */
  private void checkSameRun(TrainingContext ctx) {
    Checkpoint cp = resumedFrom;
    String where = "checkpoint " + cp.describe();
    if (ctx.options().startIteration() != cp.iteration()) {
      throw new IllegalArgumentException(where + " is at iteration " + cp.iteration()
          + " but training starts at " + ctx.options().startIteration()
          + "; apply it with Checkpoint.resume(options, optimizer)");
    }
    BatchSchedule s = ctx.schedule();
    long[] sizes = new long[s.partitions()];
    for (int p = 0; p < sizes.length; p++) {
      sizes[p] = s.partitionSize(p);
    }
    if (!Arrays.equals(sizes, cp.partitionSizes())) {
      throw new IllegalArgumentException(where + " was trained on " + cp.partitionSizes().length
          + " partitions of " + describeSizes(cp.partitionSizes()) + " examples, but this run has "
          + sizes.length + " of " + describeSizes(sizes) + "; resume with the same data and "
          + "spark.partitions = " + cp.partitionSizes().length);
    }
    if (s.globalBatch() != cp.batchSize() || ctx.options().seed() != cp.seed()
        || ctx.options().shuffle() != cp.shuffle()) {
      throw new IllegalArgumentException(where + " was trained with batch size "
          + cp.batchSize() + ", seed " + cp.seed() + ", shuffle " + cp.shuffle()
          + ", but this run has " + s.globalBatch() + ", " + ctx.options().seed() + ", "
          + ctx.options().shuffle() + "; resume with the checkpoint's training settings");
    }
    if (ctx.spec().paramCount() != cp.spec().paramCount()
        || !NetworkConfig.toMap(ctx.spec()).equals(NetworkConfig.toMap(cp.spec()))) {
      throw new IllegalArgumentException(where + " holds another network (" + cp.spec().paramCount()
          + " parameters) than this run's (" + ctx.spec().paramCount() + "); resume with the "
          + "checkpoint's model");
    }
    if (!ctx.optimizer().name().equals(cp.optimizer())) {
      throw new IllegalArgumentException(where + " was written by the " + cp.optimizer()
          + " optimizer but this run uses " + ctx.optimizer().name());
    }
  }

  private static String describeSizes(long[] sizes) {
    return sizes.length <= 8 ? Arrays.toString(sizes) : Arrays.stream(sizes).sum() + " in all";
  }

  @Override
  public void onIteration(TrainingContext ctx, Metrics batch) {
    long done = ctx.iteration() + 1;
    if (everyIterations > 0 && done % everyIterations == 0) {
      if (ctx.step() == ctx.stepsPerEpoch() - 1) {
        dueAtEpochEnd = true; // written after the epoch's validation, with its summary
      } else {
        write(ctx, done);
      }
    }
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary summary) {
    history.add(summary);
    boolean byEpoch = everyEpochs > 0 && summary.epoch() % everyEpochs == 0;
    if (dueAtEpochEnd || byEpoch) {
      write(ctx, ctx.iteration());
    }
    dueAtEpochEnd = false;
  }

  @Override
  public void onTrainingEnd(TrainingContext ctx, TrainingResult result) {
    // A final checkpoint makes a finished run resumable (it then has nothing left to do).
    if (lastWritten != result.iterations()) {
      write(ctx, result.iterations());
    }
  }

  private void write(TrainingContext ctx, long iterationsDone) {
    int perEpoch = ctx.stepsPerEpoch();
    int epoch = (int) (iterationsDone / perEpoch);
    int step = (int) (iterationsDone % perEpoch);
    BatchSchedule s = ctx.schedule();
    long[] sizes = new long[s.partitions()];
    for (int p = 0; p < sizes.length; p++) {
      sizes[p] = s.partitionSize(p);
    }
    Checkpoint cp = new Checkpoint(iterationsDone, epoch, step, ctx.options().seed(),
        ctx.options().shuffle(), s.globalBatch(), sizes,
        step == 0 ? new Metrics() : ctx.epochMetrics(), List.copyOf(history), ctx.spec(),
        ctx.modelVector(), ctx.optimizer().name(), ctx.optimizer().stateNames(),
        ctx.optimizer().state(), config, dataFingerprint, null);
    try {
      store.write(cp);
      lastWritten = iterationsDone;
      store.prune(keep, cp.name());
    } catch (IOException | RuntimeException e) {
      throw new CheckpointWriteException("cannot write checkpoint " + cp.name() + " to "
          + store.location() + ": " + CheckpointStore.reason(e) + "; " + store.describeIntact()
          + "; free space or fix the directory, then resume with --resume " + store.location(), e);
    }
    log.accept("checkpoint " + cp.name() + " written to " + store.location());
  }

  /** A checkpoint could not be written; the earlier checkpoints are intact. */
  public static final class CheckpointWriteException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public CheckpointWriteException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static final class Builder {
    private final CheckpointStore store;
    private int everyIterations = 0;
    private int everyEpochs = 1;
    private int keep = 3;
    private Map<String, Object> config = Map.of();
    private String dataFingerprint = "";
    private Checkpoint resumedFrom;
    private Consumer<String> log = msg -> { };

    private Builder(CheckpointStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** Also write every this many iterations (0, the default, = not by iteration count). */
    public Builder everyIterations(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("checkpoint.every-iterations must be >= 0, got " + n);
      }
      this.everyIterations = n;
      return this;
    }

    /** Write every this many epochs (default 1; 0 = not by epoch). */
    public Builder everyEpochs(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("checkpoint.every-epochs must be >= 0, got " + n);
      }
      this.everyEpochs = n;
      return this;
    }

    /** Keep the newest this many checkpoints (default 3). */
    public Builder keep(int k) {
      if (k < 1) {
        throw new IllegalArgumentException("checkpoint.keep must be >= 1, got " + k);
      }
      this.keep = k;
      return this;
    }

    /** The resolved job configuration, stored in every checkpoint (for {@code --resume}). */
    public Builder config(Map<String, Object> resolvedConfig) {
      this.config = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(resolvedConfig));
      return this;
    }

    /** The training data's {@code ExampleBlock.fingerprint()}, stored for the resume check. */
    public Builder dataFingerprint(String fingerprint) {
      this.dataFingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
      return this;
    }

    /** The checkpoint this run continues from (checked against the run at its start), or null. */
    public Builder resumedFrom(Checkpoint checkpoint) {
      this.resumedFrom = checkpoint;
      return this;
    }

    /** Receives a line per checkpoint written. */
    public Builder log(Consumer<String> sink) {
      this.log = Objects.requireNonNull(sink, "log");
      return this;
    }

    public CheckpointListener build() {
      return new CheckpointListener(this);
    }
  }
}
