package io.spindle.train;

import java.util.ArrayList;
import java.util.List;

/**
 * How to train, independent of where: epochs, global batch, seed, shuffling, validation and
 * logging cadence, listeners. Build with {@link #builder()}; instances are immutable.
 */
public final class TrainingOptions {

  private final int epochs;
  private final int batchSize;
  private final long seed;
  private final boolean shuffle;
  private final long chunkBytes;
  private final int shuffleWindow;
  private final int evalEvery;
  private final int logEvery;
  private final boolean logging;
  private final boolean divergenceCheck;
  private final long maxIterations;
  private final long startIteration;
  private final Metrics startEpochMetrics;
  private final List<TrainingListener> listeners;

  private TrainingOptions(Builder b) {
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.seed = b.seed;
    this.shuffle = b.shuffle;
    this.chunkBytes = b.chunkBytes;
    this.shuffleWindow = b.shuffleWindow;
    this.evalEvery = b.evalEvery;
    this.logEvery = b.logEvery;
    this.logging = b.logging;
    this.divergenceCheck = b.divergenceCheck;
    this.maxIterations = b.maxIterations;
    this.startIteration = b.startIteration;
    this.startEpochMetrics = b.startEpochMetrics;
    this.listeners = List.copyOf(b.listeners);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these options (e.g. to add a listener). */
  public Builder toBuilder() {
    Builder b = new Builder().epochs(epochs).batchSize(batchSize).seed(seed).shuffle(shuffle)
        .chunkBytes(chunkBytes).shuffleWindow(shuffleWindow)
        .evalEvery(evalEvery).logEvery(logEvery).logging(logging)
        .divergenceCheck(divergenceCheck).maxIterations(maxIterations)
        .startIteration(startIteration).startEpochMetrics(startEpochMetrics);
    listeners.forEach(b::listener);
    return b;
  }

  public int epochs() {
    return epochs;
  }

  /** The global mini-batch: examples per iteration over all partitions together. */
  public int batchSize() {
    return batchSize;
  }

  public long seed() {
    return seed;
  }

  public boolean shuffle() {
    return shuffle;
  }

  /**
   * Target size of one stored chunk of training data (a Spark block): data is cut into chunks so
   * that an epoch reads each about once, even when most of it is spilled to disk.
   */
  public long chunkBytes() {
    return chunkBytes;
  }

  /** Chunks whose examples an epoch shuffles together (see {@link PartitionWorker}). */
  public int shuffleWindow() {
    return shuffleWindow;
  }

  /** Validate every this many epochs (and after the last one); 0 never validates. */
  public int evalEvery() {
    return evalEvery;
  }

  /** Log a progress line every this many iterations; 0 logs once per epoch only. */
  public int logEvery() {
    return logEvery;
  }

  /** Whether the trainer adds a {@link LoggingListener} itself. */
  public boolean logging() {
    return logging;
  }

  /** Whether the trainer adds a {@link DivergenceCheck} itself (before the user's listeners). */
  public boolean divergenceCheck() {
    return divergenceCheck;
  }

  /** Stop after this many global iterations (0 = no limit); for tests, benchmarks, budgets. */
  public long maxIterations() {
    return maxIterations;
  }

  /** The global iteration to start from, when resuming (params and optimizer state restored). */
  public long startIteration() {
    return startIteration;
  }

  /**
   * When resuming mid-epoch: the loss, correct and example sums of that epoch's batches before
   * {@link #startIteration()} (from the checkpoint), so its summary covers the whole epoch; or
   * null.
   */
  public Metrics startEpochMetrics() {
    return startEpochMetrics == null ? null : new Metrics().merge(startEpochMetrics);
  }

  public List<TrainingListener> listeners() {
    return listeners;
  }

  public boolean validateAfter(int epoch) {
    return evalEvery > 0 && ((epoch + 1) % evalEvery == 0 || epoch + 1 == epochs);
  }

  @Override
  public String toString() {
    return "TrainingOptions(epochs=" + epochs + ", batchSize=" + batchSize + ", seed=" + seed
        + ", shuffle=" + shuffle + ", evalEvery=" + evalEvery + ", logEvery=" + logEvery
        + (maxIterations > 0 ? ", maxIterations=" + maxIterations : "")
        + (startIteration > 0 ? ", startIteration=" + startIteration : "") + ")";
  }

  public static final class Builder {
    private int epochs = 1;
    private int batchSize = 64;
    private long seed = 1L;
    private boolean shuffle = true;
    private long chunkBytes = io.spindle.data.ChunkLayout.DEFAULT_CHUNK_BYTES;
    private int shuffleWindow = io.spindle.data.ChunkLayout.DEFAULT_WINDOW;
    private int evalEvery = 1;
    private int logEvery = 0;
    private boolean logging = true;
    private boolean divergenceCheck = true;
    private long maxIterations = 0;
    private long startIteration = 0;
    private Metrics startEpochMetrics;
    private final List<TrainingListener> listeners = new ArrayList<>();

    public Builder epochs(int epochs) {
      if (epochs <= 0) {
        throw new IllegalArgumentException("epochs must be positive, got " + epochs);
      }
      this.epochs = epochs;
      return this;
    }

    public Builder batchSize(int batchSize) {
      if (batchSize <= 0) {
        throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    public Builder chunkBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("chunk size must be positive, got " + bytes);
      }
      this.chunkBytes = bytes;
      return this;
    }

    public Builder shuffleWindow(int chunks) {
      if (chunks <= 0) {
        throw new IllegalArgumentException("shuffle window must be at least one chunk, got "
            + chunks);
      }
      this.shuffleWindow = chunks;
      return this;
    }

    public Builder evalEvery(int epochs) {
      if (epochs < 0) {
        throw new IllegalArgumentException("evalEvery must be >= 0 (0 = never), got " + epochs);
      }
      this.evalEvery = epochs;
      return this;
    }

    public Builder logEvery(int iterations) {
      if (iterations < 0) {
        throw new IllegalArgumentException("logEvery must be >= 0 (0 = per epoch), got " + iterations);
      }
      this.logEvery = iterations;
      return this;
    }

    public Builder logging(boolean logging) {
      this.logging = logging;
      return this;
    }

    public Builder divergenceCheck(boolean check) {
      this.divergenceCheck = check;
      return this;
    }

    public Builder maxIterations(long iterations) {
      if (iterations < 0) {
        throw new IllegalArgumentException("maxIterations must be >= 0 (0 = no limit), got " + iterations);
      }
      this.maxIterations = iterations;
      return this;
    }

    public Builder startIteration(long iteration) {
      if (iteration < 0) {
        throw new IllegalArgumentException("startIteration must be >= 0, got " + iteration);
      }
      this.startIteration = iteration;
      return this;
    }

    /** See {@link TrainingOptions#startEpochMetrics()}; null for none. */
    public Builder startEpochMetrics(Metrics sums) {
      this.startEpochMetrics = sums == null ? null : new Metrics().merge(sums);
      return this;
    }

    public Builder listener(TrainingListener listener) {
      listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public TrainingOptions build() {
      return new TrainingOptions(this);
    }
  }
}
