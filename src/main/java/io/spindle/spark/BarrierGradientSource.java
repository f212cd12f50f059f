package io.spindle.spark;

import io.spindle.data.BatchSchedule;
import io.spindle.spark.BarrierMessages.Work;
import io.spindle.train.GradientSource;
import io.spindle.train.Metrics;
import io.spindle.train.Progress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.rpc.RpcEndpointRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;

/**
 * Gradients computed by one long-lived barrier stage per epoch instead of one Spark job per
 * iteration. The stage's tasks (one per task slot at most, each serving a contiguous range of
 * partitions, placed where those partitions are cached) stay up for the epoch's iterations and
 * exchange weights and partials with the driver through {@link IterationExchange}, an endpoint
 * of Spark's RPC environment: one round trip per task per iteration, no scheduling.
 *
 * <p>The math is the per-job path's ({@link SparkGradientSource}): the same partitions, shares,
 * epoch orders and dropout seeds, and the partials folded with {@link OrderedTreeSum}'s
 * association, so the weights are bit-for-bit those of the per-job path.
 *
 * <p>The stage ends after the epoch's last iteration (validation and checkpoints then run as
 * usual, with the cluster's slots free), or when training stops. An executor lost mid-stage
 * fails the stage; Spark reruns it (it is a shuffle-map stage, which Spark retries, unlike a
 * barrier result stage), and the new tasks recompute the iteration in flight from the
 * driver's unchanged weights. When Spark refuses to run the stage at all ({@code auto} only),
 * this source falls back to the per-job path for the rest of the run.
 *
 * <p>The source owns its {@link TrainingRun} and closes it.
 */
final class BarrierGradientSource implements GradientSource {

  private static final Logger LOG = LoggerFactory.getLogger(BarrierGradientSource.class);
  /**
   * On a cluster, weights go inside the replies while all the stage's copies together stay
   * under this size (one round trip, no broadcast to create and remove); above it, as a
   * broadcast (executors fetch it from the driver or from each other, as the per-job path's
   * broadcast), so the driver's outgoing bytes do not grow with the executor count.
   */
  static final long INLINE_WEIGHTS_UP_TO_BYTES = 4L << 20;
  /** How long a task waits for the driver's next work (the driver may be checkpointing). */
  private static final long ASK_TIMEOUT_SECONDS = TimeUnit.HOURS.toSeconds(2);

  private final TrainingRun run;
  private final boolean fallbackAllowed;
  private final int treeDepth;
  private final int groupSize;
  private final int[] slotStart;
  private final List<List<String>> slotLocations;
  private final boolean inlineWeights;
  private final String endpointName;
  private final IterationExchange exchange;
  private final RpcEndpointRef endpointRef;
  private final String callerDescription;
  private final OtherJobs otherJobs;

  private int stageSeq;
  private long stageEnd = -1;
  private JavaFutureAction<List<Long>> stageJob;
  private Broadcast<float[]> weights;
  private SparkGradientSource fallback;
  private boolean closed;

  /**
   * @param slots task slots to use (at most one task per partition range; >= 1)
   * @param fallbackAllowed whether a stage Spark refuses to run switches to the per-job path
   *     ({@code spark.sync = auto}) instead of failing ({@code barrier})
   */
  BarrierGradientSource(TrainingRun run, int treeDepth, int slots, boolean fallbackAllowed) {
    this.run = run;
    this.fallbackAllowed = fallbackAllowed;
    this.treeDepth = treeDepth;
    int p = run.partitions();
    this.groupSize = OrderedTreeSum.firstLevelGroupSize(p, treeDepth);
    int tasks = Math.max(1, Math.min(slots, p));
    this.slotStart = new int[tasks + 1];
    for (int s = 0; s <= tasks; s++) {
      slotStart[s] = (int) ((long) s * p / tasks);
    }
    this.slotLocations = new ArrayList<>();
    for (int s = 0; s < tasks; s++) {
      Set<String> locs = new LinkedHashSet<>();
      for (int q = slotStart[s]; q < slotStart[s + 1]; q++) {
        // The training run's last job (take) read the cache locations after caching.
        locs.addAll(run.shardLocations(q));
      }
      slotLocations.add(new ArrayList<>(locs));
    }
    this.inlineWeights = run.sc.isLocal()
        || 4L * run.spec.paramCount() * tasks <= INLINE_WEIGHTS_UP_TO_BYTES;
    this.endpointName = "spindle-sync-" + UUID.randomUUID();
    this.exchange = new IterationExchange(SparkInternals.driverRpcEnv(run.sc.sc()),
        run.sc.isLocal(), p, groupSize);
    this.endpointRef = SparkInternals.register(run.sc.sc(), endpointName, exchange);
    this.otherJobs = new OtherJobs(endpointName, exchange);
    run.sc.sc().addSparkListener(otherJobs);
    this.callerDescription = run.sc.getLocalProperty("spark.job.description");
  }

  @Override
  public double lastComputeMillis() {
    return fallback != null ? fallback.lastComputeMillis() : exchange.slowestTaskNanos() / 1e6;
  }

  /** Barrier tasks per stage. */
  int tasks() {
    return slotStart.length - 1;
  }

  /** Whether this source gave up on barrier stages and now runs one job per iteration. */
  boolean fellBack() {
    return fallback != null;
  }

  @Override
  public BatchSchedule schedule() {
    return run.schedule;
  }

  @Override
  public io.spindle.train.DataResidency dataResidency(long diskBytesRead) {
    return run.residency(diskBytesRead);
  }

  @Override
  public Metrics accumulate(Progress progress, float[] params, float[] gradSum) {
    if (closed) {
      throw new IllegalStateException("this gradient source is closed");
    }
    if (fallback != null) {
      return fallback.accumulate(progress, params, gradSum);
    }
    long iteration = progress.iteration();
    if (stageJob == null || iteration >= stageEnd || exchange.yielded()) {
      finishStage();
      startStage(progress);
    }
    Broadcast<float[]> previous = weights;
    float[] inline = null;
    if (inlineWeights) {
      // Local mode passes the reply by reference: tasks read the driver's array, which the
      // optimizer only changes after every partial is in.
      inline = params;
    } else {
      weights = run.sc.broadcast(params);
    }
    exchange.publish(new Work(iteration, progress.epoch(), progress.step(), inline, weights));
    GradientPartial[] firstLevel;
    try {
      firstLevel = exchange.awaitFirstLevel(stageJob);
    } catch (IterationExchange.StageFailedException e) {
      if (fallbackAllowed && isBarrierRefusal(e.getCause())) {
        LOG.info("Synchronization: one Spark job per iteration from now on, because Spark"
            + " refused the barrier stage: {}", firstLine(e.getCause()));
        stageJob = null;
        fallback = new SparkGradientSource(run, treeDepth, false);
        return fallback.accumulate(progress, params, gradSum);
      }
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the barrier stage", e);
    } finally {
      if (previous != null) {
        previous.destroy(true);
      }
    }
    GradientPartial total = OrderedTreeSum.foldFromFirstLevel(firstLevel, run.partitions(),
        treeDepth);
    total.addGradientTo(gradSum);
    if (iteration + 1 >= stageEnd) {
      finishStage(); // free the slots for validation and whatever follows the epoch
    }
    return total.metrics;
  }

  private void startStage(Progress progress) {
    stageSeq++;
    stageEnd = (long) (progress.epoch() + 1) * progress.stepsPerEpoch();
    exchange.beginStage(stageSeq, stageEnd);
    List<Tuple2<Integer, scala.collection.Seq<String>>> slots = new ArrayList<>();
    for (int s = 0; s < tasks(); s++) {
      slots.add(new Tuple2<>(s, JavaConverters.asScalaBuffer(slotLocations.get(s)).toSeq()));
    }
    RDD<Integer> slotRdd = run.sc.sc().makeRDD(JavaConverters.asScalaBuffer(slots).toSeq(),
        INT);
    BarrierStageTask task = new BarrierStageTask(run.setup, run.partitions(), slotStart,
        groupSize, run.sc.sc().env().rpcEnv().address().host(),
        run.sc.sc().env().rpcEnv().address().port(), endpointName, stageSeq,
        ASK_TIMEOUT_SECONDS, run.sc.isLocal());
    RDD<Long> stage = slotRdd.barrier().mapPartitions(task, false, LONG);
    run.sc.setLocalProperty(STAGE_PROPERTY, endpointName);
    run.sc.setJobDescription("spindle epoch " + (progress.epoch() + 1) + "/"
        + progress.epochs() + " barrier stage, steps " + (progress.step() + 1) + "-"
        + progress.stepsPerEpoch() + " (" + tasks() + " tasks)");
    try {
      // The shuffle makes the barrier stage a shuffle-map stage, which Spark retries as a
      // whole when a task or an executor is lost (a failed barrier result stage is aborted).
      stageJob = new JavaRDD<>(stage, LONG)
          .mapToPair(n -> new Tuple2<>(0, n))
          .partitionBy(new HashPartitioner(1))
          .values()
          .collectAsync();
      otherJobs.stageJobId = stageJob.jobIds().isEmpty() ? Integer.MAX_VALUE
          : stageJob.jobIds().get(0);
    } finally {
      run.sc.setLocalProperty(STAGE_PROPERTY, null);
      run.sc.setJobDescription(callerDescription);
    }
  }

  /** Job property that marks this source's own stage jobs. */
  private static final String STAGE_PROPERTY = "spindle.barrier.endpoint";

  /**
   * Hands the task slots over when any other job starts while a stage holds them (a
   * listener, or another thread of the application, running a Spark job mid-epoch): it could
   * not get a slot before the epoch's end otherwise, and a listener waiting for it on the
   * driver's thread would wait forever.
   */
  private static final class OtherJobs extends org.apache.spark.scheduler.SparkListener {
    private final String endpoint;
    private final IterationExchange exchange;
    /** Jobs submitted before the stage got their slots first; only later ones wait for it. */
    volatile int stageJobId = Integer.MAX_VALUE;

    OtherJobs(String endpoint, IterationExchange exchange) {
      this.endpoint = endpoint;
      this.exchange = exchange;
    }

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
      java.util.Properties props = job.properties();
      boolean ours = props != null && endpoint.equals(props.getProperty(STAGE_PROPERTY));
      if (!ours && job.jobId() > stageJobId) {
        exchange.yieldSlots();
      }
    }
  }

  /** Waits for the running stage's job to end (its tasks have been told to stop). */
  private void finishStage() {
    if (stageJob == null) {
      return;
    }
    JavaFutureAction<List<Long>> job = stageJob;
    stageJob = null;
    exchange.endStage();
    try {
      job.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ending the barrier stage", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r
          : new IllegalStateException(e.getCause());
    }
  }

  /** Spark's refusals to run a barrier stage at all (raised before any task starts). */
  static boolean isBarrierRefusal(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String name = c.getClass().getName();
      if (name.startsWith("org.apache.spark.scheduler.BarrierJob")
          || String.valueOf(c.getMessage()).contains("[SPARK-24819]")
          || String.valueOf(c.getMessage()).contains("Barrier execution mode does not")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (stageJob != null) {
        JavaFutureAction<List<Long>> job = stageJob;
        stageJob = null;
        exchange.endStage();
        try {
          job.get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
          job.cancel(true); // training is over (or failed already); do not mask that
        }
      }
    } finally {
      run.sc.sc().removeSparkListener(otherJobs);
      SparkInternals.unregister(run.sc.sc(), endpointRef);
      if (weights != null) {
        weights.destroy();
        weights = null;
      }
      if (fallback != null) {
        fallback.close();
      }
      run.close();
      run.sc.setJobDescription(callerDescription);
    }
  }

  private static String firstLine(Throwable t) {
    String m = String.valueOf(t.getMessage()).strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static final ClassTag<Integer> INT = scala.reflect.ClassTag$.MODULE$.apply(
      Integer.class);
  private static final ClassTag<Long> LONG = scala.reflect.ClassTag$.MODULE$.apply(Long.class);
}
