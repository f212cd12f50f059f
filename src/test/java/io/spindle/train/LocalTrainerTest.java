package io.spindle.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.data.ExampleBlock;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Sgd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalTrainerTest {

  static final int FEATURES = 16;
  static final int CLASSES = 3;
  final ExampleBlock train = TestData.classification(2000, FEATURES, CLASSES, 1L);
  final ExampleBlock test = TestData.classification(500, FEATURES, CLASSES, 1L + 1000);
  final NetworkSpec spec = TestData.mlp(FEATURES, CLASSES);

  @Test
  void learnsTheSyntheticProblemAndReportsEveryEpoch() {
    // The test set comes from another seed, hence another teacher: use a slice of train's
    // generator instead so test accuracy means generalization.
    ExampleBlock all = TestData.classification(2500, FEATURES, CLASSES, 3L);
    ExampleBlock tr = all.slice(0, 2000);
    ExampleBlock te = all.slice(2000, 2500);
    TrainingOptions options = TrainingOptions.builder().epochs(8).batchSize(32).seed(5).build();
    TrainingResult r = new LocalTrainer(spec, new Sgd(0.1), options)
        .fit(tr, te, spec.initParams(5));
    assertEquals(8, r.history().size());
    assertEquals(8L * 63, r.iterations(), "2000 / 32 -> 63 iterations per epoch");
    assertEquals(8L * 2000, r.examples());
    EpochSummary first = r.history().get(0);
    EpochSummary last = r.lastEpoch();
    assertTrue(last.trainLoss() < first.trainLoss() * 0.7,
        "loss fell: " + first.trainLoss() + " -> " + last.trainLoss());
    assertTrue(last.testAccuracy() > 0.85, "test accuracy " + last.testAccuracy());
    assertTrue(last.validated() && first.validated());
    assertTrue(r.imagesPerSecond() > 0 && last.elapsedSeconds() >= first.elapsedSeconds());
    assertEquals(0.0, last.etaSeconds(), 1e-9, "nothing left at the end");
  }

  @Test
  void stopsAtTheFirstEpochWhoseTestAccuracyReachesTheTarget() {
    ExampleBlock all = TestData.classification(2500, FEATURES, CLASSES, 3L);
    TrainingOptions options = TrainingOptions.builder().epochs(30).batchSize(32).seed(5)
        .logging(false).listener(new TargetAccuracyStop(0.8)).build();
    TrainingResult r = new LocalTrainer(spec, new Sgd(0.1), options)
        .fit(all.slice(0, 2000), all.slice(2000, 2500), spec.initParams(5));
    int epochs = r.history().size();
    assertTrue(epochs < 30, "stopped early, after " + epochs + " epochs");
    assertTrue(r.lastEpoch().testAccuracy() >= 0.8, "last " + r.lastEpoch().testAccuracy());
    for (int i = 0; i < epochs - 1; i++) {
      assertTrue(r.history().get(i).testAccuracy() < 0.8, "epoch " + (i + 1) + " was below");
    }
    assertEquals(epochs * 63L, r.iterations());
  }

  @Test
  void aStopRequestedMidEpochEndsAfterThatIterationWithoutAnEpochSummary() {
    TrainingListener stopAtFive = new TrainingListener() {
      @Override
      public void onIteration(TrainingContext ctx, Metrics batch) {
        if (ctx.iteration() == 5) {
          ctx.requestStop("test");
        }
      }
    };
    TrainingOptions options = TrainingOptions.builder().epochs(3).batchSize(100).logging(false)
        .listener(stopAtFive).build();
    TrainingResult r = new LocalTrainer(spec, new Sgd(0.1), options)
        .fit(train, test, spec.initParams(1));
    assertEquals(6, r.iterations(), "iterations 0..5 ran");
    assertEquals(600, r.examples());
    assertEquals(0, r.history().size(), "epoch 1 (20 iterations) never completed");
  }

  @Test
  void validatesEveryNthEpochAndAfterTheLast() {
    TrainingOptions options = TrainingOptions.builder().epochs(5).batchSize(100).evalEvery(2)
        .logging(false).build();
    TrainingResult r = new LocalTrainer(spec, new Sgd(0.1), options)
        .fit(train, test, spec.initParams(1));
    boolean[] validated = new boolean[5];
    for (int i = 0; i < 5; i++) {
      validated[i] = r.history().get(i).validated();
    }
    assertArrayEquals(new boolean[] {false, true, false, true, true}, validated);
  }

  @Test
  void listenersSeeTheParametersBeforeTheUpdateAndTheCountersInOrder() {
    List<String> events = new ArrayList<>();
    float[][] afterLast = new float[1][];
    TrainingListener probe = new TrainingListener() {
      @Override
      public void onTrainingStart(TrainingContext ctx) {
        events.add("start");
      }

      @Override
      public void beforeUpdate(TrainingContext ctx, float[] meanGradient, Metrics batch) {
        if (afterLast[0] != null) {
          assertArrayEquals(afterLast[0], ctx.params(), "params unchanged until the step");
        }
        events.add("before " + ctx.iteration());
      }

      @Override
      public void onIteration(TrainingContext ctx, Metrics batch) {
        assertNotEquals(0, batch.count);
        afterLast[0] = ctx.params().clone();
        events.add("after " + ctx.iteration());
      }

      @Override
      public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
        events.add("epoch " + s.epoch() + " at " + s.iterations());
      }

      @Override
      public void onTrainingEnd(TrainingContext ctx, TrainingResult r) {
        events.add("end " + r.iterations());
      }
    };
    ExampleBlock small = train.slice(0, 250);
    TrainingOptions options = TrainingOptions.builder().epochs(2).batchSize(100).listener(probe)
        .build();
    new LocalTrainer(spec, new Sgd(0.1), options).fit(small, null, spec.initParams(1));
    assertEquals(List.of("start", "before 0", "after 0", "before 1", "after 1", "before 2",
        "after 2", "epoch 1 at 3", "before 3", "after 3", "before 4", "after 4", "before 5",
        "after 5", "epoch 2 at 6", "end 6"), events);
  }

  @Test
  void resumingFromAnIterationContinuesTheSameRun() {
    TrainingOptions full = TrainingOptions.builder().epochs(3).batchSize(64).logging(false).build();
    float[] init = spec.initParams(9);
    TrainingResult straight = new LocalTrainer(spec, new Sgd(0.2), full)
        .partitions(2).fit(train, null, init);
    // Stop mid-epoch 2, then resume there with the saved parameters (SGD has no state).
    long cut = 40;
    TrainingResult firstPart = new LocalTrainer(spec, new Sgd(0.2),
        full.toBuilder().maxIterations(cut).build()).partitions(2).fit(train, null, init);
    assertEquals(cut, firstPart.iterations());
    assertEquals(1, firstPart.history().size(), "only epoch 1 completed");
    TrainingResult resumed = new LocalTrainer(spec, new Sgd(0.2),
        full.toBuilder().startIteration(cut).build()).partitions(2)
        .fit(train, null, firstPart.params());
    assertEquals(straight.iterations(), resumed.iterations());
    assertArrayEquals(straight.params(), resumed.params(), "bit-identical continuation");
  }

  @Test
  void hugeLearningRateStopsWithTheDivergenceErrorAndFiniteParameters() {
    NetworkSpec deep = TestData.tanhRegression(FEATURES);
    ExampleBlock data = TestData.regression(1000, FEATURES, 2L);
    TrainingOptions options = TrainingOptions.builder().epochs(3).batchSize(64).build();
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> new LocalTrainer(deep, new Sgd(1e6), options).fit(data, null, deep.initParams(1)));
    assertTrue(e.getMessage().contains("iteration " + (e.iteration() + 1)), e.getMessage());
    assertTrue(e.getMessage().contains("Lower the learning rate"), e.getMessage());
    assertTrue(List.of("loss", "gradient", "update of the parameters").contains(e.quantity()),
        e.quantity());
    assertTrue(e.iteration() < 20, "caught early: iteration " + e.iteration());
    assertTrue(e.getMessage().contains("the " + e.quantity() + " is"), e.getMessage());
    assertTrue(TestData.allFinite(e.params()), "parameters left finite");
    assertEquals(deep.paramCount(), e.params().length);
    assertTrue(e.getMessage().contains("it was 1.00e+06; try 1.00e+05"), e.getMessage());
  }

  @Test
  void metricsFilesGetOneFlushedRowPerEpochAndAppendAcrossRuns(@TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("m/metrics.csv");
    Path json = dir.resolve("m/metrics.jsonl");
    List<Long> csvLinesSeenAtEpochEnd = new ArrayList<>();
    TrainingListener watcher = new TrainingListener() {
      @Override
      public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
        try {
          csvLinesSeenAtEpochEnd.add((long) Files.readAllLines(csv).size());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    TrainingOptions options = TrainingOptions.builder().epochs(2).batchSize(100)
        .listener(new MetricsFileListener(csv, json)).listener(watcher).build();
    new LocalTrainer(spec, new Sgd(0.1), options).fit(train, test, spec.initParams(1));
    assertEquals(List.of(2L, 3L), csvLinesSeenAtEpochEnd, "rows are on disk while training runs");
    new LocalTrainer(spec, new Sgd(0.1), options.toBuilder().evalEvery(0).build())
        .fit(train, test, spec.initParams(1));

    List<String> rows = Files.readAllLines(csv);
    assertEquals(MetricsFileListener.HEADER, rows.get(0));
    assertEquals(5, rows.size(), "one header, then 2 + 2 epochs appended");
    String[] cells = rows.get(2).split(",", -1);
    assertEquals("2", cells[0]);
    assertEquals("40", cells[1], "iterations after epoch 2");
    assertTrue(Double.parseDouble(cells[5]) > 0.3, "test accuracy " + cells[5]);
    assertEquals("", rows.get(4).split(",", -1)[4], "no test loss without validation");

    List<String> lines = Files.readAllLines(json);
    assertEquals(4, lines.size());
    assertTrue(lines.get(1).startsWith("{\"epoch\":2,\"iteration\":40,\"train_loss\":"),
        lines.get(1));
    assertTrue(lines.get(3).contains("\"test_loss\":null"), lines.get(3));
    assertTrue(lines.get(1).contains("\"elapsed_seconds\":"), lines.get(1));
  }

  @Test
  void rejectsDataThatDoesNotFitTheNetwork() {
    ExampleBlock wrong = TestData.classification(100, FEATURES + 1, CLASSES, 1L);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LocalTrainer(spec, new Sgd(0.1), TrainingOptions.builder().build())
            .fit(wrong, null, spec.initParams(1)));
    assertTrue(e.getMessage().contains("17 features"), e.getMessage());
  }
}
