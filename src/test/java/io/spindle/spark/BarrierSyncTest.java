package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.io.ResumeHarness;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.OptimizerSpec;
import io.spindle.optim.Sgd;
import io.spindle.train.EpochSummary;
import io.spindle.train.Metrics;
import io.spindle.train.TestData;
import io.spindle.train.Trainer;
import io.spindle.train.TrainingContext;
import io.spindle.train.TrainingListener;
import io.spindle.train.TrainingOptions;
import io.spindle.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark.sync = barrier} against {@code job}: the same weights, bit for bit, on every
 * partitioning (including more partitions than task slots, and the tree reduction's groups),
 * across resume, after a task failure mid-stage; and the fallback to one job per iteration
 * where Spark cannot run a barrier stage.
 */
class BarrierSyncTest extends SparkTestBase {

  static final int CLASSES = 3;
  /** A conv net with dropout: every random draw (epoch order, mask) must line up. */
  final NetworkSpec cnn = TestData.cnn(CLASSES);
  final ExampleBlock train = TestData.classification(600, 64, CLASSES, 22L);
  final ExampleBlock test = TestData.classification(120, 64, CLASSES, 23L);

  static TrainingOptions.Builder options() {
    // 600 examples, batch 64: 10 iterations per epoch, the last one partial.
    return TrainingOptions.builder().epochs(2).batchSize(64).seed(13).logging(false);
  }

  TrainingResult fit(SyncMode mode, int partitions, TrainingOptions opts) {
    return new DistributedTrainer(jsc(), cnn, new Sgd(0.3), opts).partitions(partitions)
        .sync(mode).fit(train, test, cnn.initParams(3));
  }

  @Test
  void aBarrierStageGivesTheWeightsOfOneJobPerIterationBitForBit() {
    // 1, 2 and 4 partitions on local[2] (4 = two partitions per barrier task), and 8, where the
    // reduction has a tree level whose groups straddle the two tasks' partition ranges.
    for (int partitions : new int[] {1, 2, 4, 8}) {
      JobRecorder jobs = new JobRecorder();
      jsc().sc().addSparkListener(jobs);
      TrainingResult perJob;
      TrainingResult barrier;
      try {
        perJob = fit(SyncMode.JOB, partitions, options().build());
        int perJobSteps = jobs.stepJobs();
        jobs.clear();
        barrier = fit(SyncMode.BARRIER, partitions, options().build());
        assertEquals(20, perJobSteps, "one job per iteration in job mode");
        assertEquals(0, jobs.stepJobs(), "no job per iteration in barrier mode: " + jobs.names);
        assertEquals(2, jobs.barrierStages(), "one barrier stage per epoch: " + jobs.names);
      } finally {
        jsc().sc().removeSparkListener(jobs);
      }
      String what = partitions + " partitions";
      assertArrayEquals(ResumeHarness.bits(perJob.params()), ResumeHarness.bits(barrier.params()),
          what + ": weights differ");
      assertEquals(perJob.history().size(), barrier.history().size(), what);
      for (int e = 0; e < perJob.history().size(); e++) {
        EpochSummary x = perJob.history().get(e);
        EpochSummary y = barrier.history().get(e);
        assertEquals(Double.doubleToLongBits(x.trainLoss()), Double.doubleToLongBits(y.trainLoss()),
            what + ", epoch " + x.epoch() + " train loss");
        // Validation sums its partitions' losses in arrival order (either mode), so the test
        // loss may differ in the last bits even with the same weights.
        assertEquals(x.testLoss(), y.testLoss(), 1e-12 * Math.abs(x.testLoss()),
            what + ", epoch " + x.epoch() + " test");
        assertEquals(x.testAccuracy(), y.testAccuracy(), 0.0, what + ", epoch " + x.epoch());
      }
    }
    // The comparison can fail: another seed gives other weights.
    TrainingResult other = new DistributedTrainer(jsc(), cnn, new Sgd(0.3),
        options().seed(14).build()).partitions(2).sync(SyncMode.BARRIER)
        .fit(train, test, cnn.initParams(3));
    TrainingResult same = fit(SyncMode.JOB, 2, options().build());
    assertTrue(TestData.maxRelativeError(other.params(), same.params()) > 1e-4);
  }

  @Test
  void earlyStopMidEpochEndsTheStageAndFreesTheSlots() {
    TrainingResult stopped = fit(SyncMode.BARRIER, 2, options().maxIterations(13).build());
    assertEquals(13, stopped.iterations());
    TrainingResult perJob = fit(SyncMode.JOB, 2, options().maxIterations(13).build());
    assertArrayEquals(ResumeHarness.bits(perJob.params()), ResumeHarness.bits(stopped.params()));
    // The slots are free again: an ordinary job runs at once.
    assertEquals(4L, jsc().parallelize(List.of(1, 2, 3, 4), 2).count());
  }

  @Test
  void aListenerRunningASparkJobMidEpochGetsTheSlotsAndTrainingStaysExact() {
    List<Long> counts = new ArrayList<>();
    TrainingListener countsRows = new TrainingListener() {
      @Override
      public void onIteration(TrainingContext ctx, Metrics batch) {
        if (ctx.iteration() == 3 || ctx.iteration() == 14) {
          // While the barrier stage holds both slots: the stage yields them, then restarts.
          counts.add(jsc().parallelize(List.of(1, 2, 3), 2).count());
        }
      }
    };
    TrainingResult barrier = fit(SyncMode.BARRIER, 2, options().listener(countsRows).build());
    assertEquals(List.of(3L, 3L), counts);
    TrainingResult perJob = fit(SyncMode.JOB, 2, options().build());
    assertArrayEquals(ResumeHarness.bits(perJob.params()), ResumeHarness.bits(barrier.params()));
  }

  @Test
  void aResumedRunMayChangeModeAndStillEndsBitForBitTheSame(@TempDir Path tmp)
      throws Exception {
    OptimizerSpec adam = OptimizerSpec.defaults("adam").withLearningRate(0.01);
    TrainingOptions base = options().epochs(3).build();
    for (SyncMode[] modes : new SyncMode[][] {
        {SyncMode.JOB, SyncMode.JOB, SyncMode.BARRIER},
        {SyncMode.BARRIER, SyncMode.BARRIER, SyncMode.JOB}}) {
      AtomicInteger call = new AtomicInteger();
      ResumeHarness h = new ResumeHarness(cnn, adam, base, 5L, (opt, o, init) ->
          new DistributedTrainer(jsc(), cnn, opt, o).partitions(2)
              .sync(modes[call.getAndIncrement()]).fit(train, test, init));
      TrainingResult reference = h.uninterrupted();
      ResumeHarness.Resumed r = h.interruptAndResume(
          tmp.resolve(modes[1].configValue() + "-then-" + modes[2].configValue()), 17, 4, 1);
      assertNotNull(r.from(), "a checkpoint was written before the crash");
      assertEquals(16, r.from().iteration(), "resumed from the newest checkpoint");
      ResumeHarness.assertSameRun(reference, r,
          modes[1].configValue() + " resumed in " + modes[2].configValue(), true);
    }
  }

  @Test
  void aTaskKilledMidStageIsRetriedWithTheStageAndTrainingEndsTheSame() {
    TrainingResult perJob = fit(SyncMode.JOB, 2, options().build());
    List<Long> barrierTasks = Collections.synchronizedList(new ArrayList<>());
    ConcurrentHashMap<Integer, Integer> attempts = new ConcurrentHashMap<>();
    SparkListener tasks = new SparkListener() {
      @Override
      public void onTaskStart(SparkListenerTaskStart start) {
        barrierTasks.add(start.taskInfo().taskId());
      }

      @Override
      public void onStageSubmitted(SparkListenerStageSubmitted s) {
        attempts.merge(s.stageInfo().stageId(), 1, Integer::sum);
      }
    };
    TrainingListener killer = new TrainingListener() {
      @Override
      public void onIteration(TrainingContext ctx, Metrics batch) {
        if (ctx.iteration() == 4) { // mid-epoch: the stage's tasks wait for iteration 5
          long victim = barrierTasks.get(barrierTasks.size() - 1);
          jsc().sc().killTaskAttempt(victim, true, "test: a lost task mid-stage");
        }
      }
    };
    jsc().sc().addSparkListener(tasks);
    TrainingResult retried;
    try {
      retried = new DistributedTrainer(jsc(), cnn, new Sgd(0.3), options().listener(killer)
          .build()).partitions(2).sync(SyncMode.BARRIER).fit(train, test, cnn.initParams(3));
    } finally {
      jsc().sc().removeSparkListener(tasks);
    }
    assertTrue(attempts.values().stream().anyMatch(n -> n > 1),
        "some stage ran a second attempt: " + attempts);
    assertArrayEquals(ResumeHarness.bits(perJob.params()), ResumeHarness.bits(retried.params()));
  }

  @Test
  void whereSparkCannotRunABarrierStageAutoFallsBackWithOneLogLineAndBarrierRefuses() {
    TrainingResult perJob = fit(SyncMode.JOB, 2, options().build());
    // Spark runs no barrier stage under dynamic allocation ("testing" makes local mode count).
    jsc().sc().conf().set("spark.dynamicAllocation.enabled", "true")
        .set("spark.dynamicAllocation.testing", "true");
    try (LogLines log = LogLines.of(SparkSync.class, BarrierGradientSource.class)) {
      TrainingResult auto = fit(SyncMode.AUTO, 2, options().build());
      assertArrayEquals(ResumeHarness.bits(perJob.params()), ResumeHarness.bits(auto.params()));
      List<String> why = log.matching("Synchronization:");
      assertEquals(1, why.size(), why.toString());
      assertTrue(why.get(0).contains("one Spark job per iteration, because dynamic allocation"),
          why.get(0));

      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> fit(SyncMode.BARRIER, 2, options().build()));
      assertTrue(refused.getMessage().startsWith("spark.sync = barrier, but dynamic allocation"),
          refused.getMessage());

      // Spark's own refusal, met when the first stage is submitted, switches over too.
      log.clear();
      try (DistributedBlocks blocks = BlockRdds.distribute(jsc(), train, 2,
              StorageLevel.MEMORY_ONLY())) {
        TrainingRun run = new TrainingRun(jsc(), cnn, blocks.rdd(), 64, true, 13L);
        try (BarrierGradientSource source = new BarrierGradientSource(run, 2, 2, true)) {
          TrainingResult r = new Trainer(cnn, new Sgd(0.3), options().build())
              .fit(source, null, cnn.initParams(3));
          assertTrue(source.fellBack(), "fell back to one job per iteration");
          TrainingResult expected = new DistributedTrainer(jsc(), cnn, new Sgd(0.3),
              options().evalEvery(0).build()).partitions(2).sync(SyncMode.JOB)
              .fit(train, null, cnn.initParams(3));
          assertArrayEquals(ResumeHarness.bits(expected.params()), ResumeHarness.bits(r.params()));
        }
      }
      List<String> refusal = log.matching("refused the barrier stage");
      assertEquals(1, refusal.size(), log.lines().toString());
    } finally {
      jsc().sc().conf().remove("spark.dynamicAllocation.enabled")
          .remove("spark.dynamicAllocation.testing");
    }
  }

  /** Names of the jobs that started. */
  static final class JobRecorder extends SparkListener {
    final List<String> names = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onJobStart(SparkListenerJobStart job) {
      names.add(String.valueOf(job.properties().getProperty("spark.job.description")));
    }

    int stepJobs() {
      return (int) names.stream().filter(n -> n.matches("spindle epoch .* step .*")).count();
    }

    int barrierStages() {
      return (int) names.stream().filter(n -> n.contains(" barrier stage, ")).count();
    }

    void clear() {
      names.clear();
    }
  }
}
