package io.spindle.train;

import io.spindle.data.BatchSchedule;
import io.spindle.nn.NetworkSpec;
import io.spindle.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one training loop, whatever computes the gradients. Per iteration: the summed gradient
 * and metrics of the global batch from a {@link GradientSource}; division by the batch's
 * example count; {@link TrainingListener#beforeUpdate} (the divergence check); the optimizer
 * step; the update of the non-trainable state (batch-norm running statistics) from the batch's
 * statistics, which never reach the optimizer; {@link TrainingListener#onIteration}. Per epoch:
 * validation (on the model vector: parameters, then state) when due, then
 * {@link TrainingListener#onEpochEnd}. Runs on the driver; single-threaded.
 */
public final class Trainer {

  private final NetworkSpec spec;
  private final Optimizer optimizer;
  private final TrainingOptions options;

  public Trainer(NetworkSpec spec, Optimizer optimizer, TrainingOptions options) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.options = options;
  }

  public TrainingOptions options() {
    return options;
  }

  /**
   * Trains from {@code initialParams} (not modified) and returns the final model vector and
   * history.
   *
   * @param initialParams the model vector ({@link NetworkSpec#initParams}: parameters, then
   *     state), or the parameters alone (the state then starts from {@link
   *     NetworkSpec#initState})
   * @param validation evaluates the test set when due, or null for none
   * @throws TrainingDivergedException when the loss or gradient stops being finite
   */
  public TrainingResult fit(GradientSource source, Evaluator validation, float[] initialParams) {
    if (initialParams.length != spec.modelSize() && initialParams.length != spec.paramCount()) {
      throw new IllegalArgumentException("the parameter vector has " + initialParams.length
          + " values but the network needs " + spec.modelSize()
          + "; was it saved from a different network?");
    }
    BatchSchedule schedule = source.schedule();
    if (schedule.globalBatch() != options.batchSize()) {
      throw new IllegalArgumentException("the gradient source batches " + schedule.globalBatch()
          + " examples but the options say " + options.batchSize());
    }
    int stepsPerEpoch = schedule.iterationsPerEpoch();
    long total = (long) options.epochs() * stepsPerEpoch;
    if (options.maxIterations() > 0) {
      total = Math.min(total, options.maxIterations());
    }
    float[] params = Arrays.copyOf(initialParams, spec.paramCount());
    float[] state = initialParams.length == spec.modelSize()
        ? Arrays.copyOfRange(initialParams, spec.paramCount(), spec.modelSize())
        : spec.initState();
    float[] grad = new float[params.length];
    List<TrainingListener> listeners = new ArrayList<>();
    if (options.divergenceCheck()) {
      listeners.add(new DivergenceCheck());
    }
    if (options.logging()) {
      listeners.add(new LoggingListener(options.logEvery()));
    }
    listeners.addAll(options.listeners());

    TrainingContext ctx = new TrainingContext(spec, optimizer, options, schedule, params, state,
        total);
    List<EpochSummary> history = new ArrayList<>();
    long iteration = options.startIteration();
    try {
      for (TrainingListener l : listeners) {
        l.onTrainingStart(ctx);
      }
      int epoch = (int) (iteration / stepsPerEpoch);
      for (; epoch < options.epochs() && iteration < total && ctx.stopReason() == null;
          epoch++) {
        Metrics epochMetrics = new Metrics();
        long epochTrainNanos = 0;
        long epochExamplesHere = 0;
        int step = (int) (iteration % stepsPerEpoch);
        if (step > 0 && options.startEpochMetrics() != null) {
          // Resumed mid-epoch: the epoch's figures include the batches before the checkpoint.
          epochMetrics.merge(options.startEpochMetrics());
        }
        ctx.epochMetrics = epochMetrics;
        for (; step < stepsPerEpoch && iteration < total; step++, iteration++) {
          long t0 = System.nanoTime();
          ctx.epoch = epoch;
          ctx.step = step;
          ctx.iteration = iteration;
          Arrays.fill(grad, 0f);
          Progress progress = new Progress(epoch, options.epochs(), step, stepsPerEpoch, iteration);
          Metrics batch = source.accumulate(progress, params, grad);
          if (batch.count == 0) {
            throw new IllegalStateException(progress.describe() + " got no examples");
          }
          scale(grad, 1f / batch.count);
          for (TrainingListener l : listeners) {
            l.beforeUpdate(ctx, grad, batch);
          }
          optimizer.step(params, grad, iteration);
          if (state.length > 0) {
            spec.updateState(state, batch.batchStats, batch.count);
          }
          long dt = System.nanoTime() - t0;
          ctx.trainNanos += dt;
          ctx.examples += batch.count;
          epochTrainNanos += dt;
          epochExamplesHere += batch.count;
          epochMetrics.merge(batch);
          for (TrainingListener l : listeners) {
            l.onIteration(ctx, batch);
          }
          if (ctx.stopReason() != null) {
            step++;
            iteration++;
            break;
          }
        }
        if (step < stepsPerEpoch) {
          break; // stopped mid-epoch (maxIterations or a listener): no epoch summary
        }
        ctx.iteration = iteration;
        double testLoss = Double.NaN;
        double testAcc = Double.NaN;
        if (validation != null && options.validateAfter(epoch)) {
          Metrics test = validation.evaluate(spec.modelVector(params, state),
              new Progress(epoch, options.epochs(), -1, stepsPerEpoch, iteration));
          testLoss = test.meanLoss();
          testAcc = test.accuracy();
        }
        EpochSummary summary = new EpochSummary(epoch + 1, options.epochs(), iteration,
            epochMetrics.count, epochMetrics.meanLoss(), epochMetrics.accuracy(), testLoss,
            testAcc, epochTrainNanos > 0 ? epochExamplesHere / (epochTrainNanos / 1e9) : Double.NaN,
            ctx.elapsedSeconds(), ctx.etaSeconds(iteration));
        history.add(summary);
        ctx.dataResidency = source.dataResidency(epochMetrics.diskBytesRead);
        for (TrainingListener l : listeners) {
          l.onEpochEnd(ctx, summary);
        }
      }
      TrainingResult result = new TrainingResult(spec.modelVector(params, state),
          List.copyOf(history), iteration,
          ctx.examples, ctx.trainSeconds(), ctx.elapsedSeconds());
      for (TrainingListener l : listeners) {
        l.onTrainingEnd(ctx, result);
      }
      return result;
    } catch (RuntimeException | Error e) {
      for (TrainingListener l : listeners) {
        try {
          l.onTrainingFailed(ctx, e);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static void scale(float[] v, float s) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= s;
    }
  }
}
