package io.spindle.spark;

import io.spindle.spark.BarrierMessages.Ready;
import io.spindle.spark.BarrierMessages.Stop;
import io.spindle.spark.BarrierMessages.Work;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.spark.rpc.RpcCallContext;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.rpc.ThreadSafeRpcEndpoint;
import scala.Function1;
import scala.PartialFunction;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * The driver's end of the barrier stage: an endpoint of Spark's RPC environment (internal API,
 * see {@link SparkInternals}) that hands each iteration's weights to the stage's tasks and
 * collects their partials, without a Spark job per iteration.
 *
 * <p>One round trip per task and iteration: a task's {@link Ready} carries its partials of
 * iteration t and is answered, once the driver has stepped, with the {@link Work} of t + 1
 * (the reply is held until then). The driver thread {@link #publish}es work and
 * {@link #awaitFirstLevel waits} for the partials; RPC messages arrive on Spark's dispatcher
 * thread. All state is guarded by this object's monitor.
 *
 * <p>Failures: when Spark retries the stage, the new attempt's tasks ask for the current work
 * and recompute it; partials are deterministic, so one already received is kept and a
 * duplicate ignored. Tasks of an older attempt or stage get {@link Stop}.
 */
final class IterationExchange implements ThreadSafeRpcEndpoint {

  private final RpcEnv rpcEnv;
  /** Whether messages stay in this JVM (local mode): see {@link RpcWire}. */
  private final boolean local;
  private final Object stopWire;
  private Object currentWire;
  private final int partitions;
  private final int groupSize;

  private int stage = -1;
  private long stageEnd;
  private int attempt;
  private boolean stopped = true;
  private boolean yielded;
  private Work current;
  private boolean complete;
  private GradientPartial[] groupSums;
  private GradientPartial[] partitionPartials;
  private int covered;
  private long slowestTaskNanos;
  private final List<Waiting> waiting = new ArrayList<>();

  private record Waiting(RpcCallContext ctx, int attempt) {}

  IterationExchange(RpcEnv rpcEnv, boolean local, int partitions, int groupSize) {
    this.rpcEnv = rpcEnv;
    this.local = local;
    this.stopWire = RpcWire.encode(Stop.INSTANCE, local);
    this.partitions = partitions;
    this.groupSize = groupSize;
    this.groupSums = new GradientPartial[(partitions + groupSize - 1) / groupSize];
    this.partitionPartials = new GradientPartial[partitions];
  }

  @Override
  public RpcEnv rpcEnv() {
    return rpcEnv;
  }

  /** Opens stage {@code seq}, whose tasks run iterations up to {@code end} (exclusive). */
  synchronized void beginStage(int seq, long end) {
    stopReplies();
    stage = seq;
    stageEnd = end;
    attempt = 0;
    stopped = false;
    yielded = false;
    current = null;
    complete = false;
  }

  /** Hands iteration {@code work.iteration()} to the tasks (those waiting, and later askers). */
  synchronized void publish(Work work) {
    current = work;
    currentWire = RpcWire.encode(work, local); // once, whatever the number of tasks
    complete = false;
    covered = 0;
    slowestTaskNanos = 0;
    Arrays.fill(groupSums, null);
    Arrays.fill(partitionPartials, null);
    for (Waiting w : waiting) {
      w.ctx().reply(currentWire);
    }
    waiting.clear();
  }

  /**
   * Waits until every partition's partial of the published iteration is in and returns the
   * first level of the reduction: one partial per group of {@code groupSize} consecutive
   * partitions, each folded left to right.
   *
   * @param job the stage's job; its failure (Spark gave up on the stage) is rethrown here
   */
  synchronized GradientPartial[] awaitFirstLevel(Future<?> job) throws InterruptedException {
    while (!complete) {
      if (job.isDone()) {
        try {
          job.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new StageFailedException(e.getCause());
        }
        throw new IllegalStateException("the barrier stage ended before iteration "
            + current.iteration() + " was complete");
      }
      wait(50);
    }
    GradientPartial[] level = new GradientPartial[groupSums.length];
    for (int g = 0; g < level.length; g++) {
      if (groupSums[g] != null) {
        level[g] = groupSums[g];
      } else {
        int from = g * groupSize;
        int to = Math.min(partitions, from + groupSize);
        level[g] = GradientPartial.foldInOrder(Arrays.copyOfRange(partitionPartials, from, to));
      }
    }
    return level;
  }

  /** Ends the stage: every task still asking is told to stop. */
  synchronized void endStage() {
    stopped = true;
    stopReplies();
  }

  /**
   * Ends the stage early because another job wants the task slots: the tasks finish the
   * iteration in flight and stop; the source starts a new stage for the next iteration.
   */
  synchronized void yieldSlots() {
    if (!stopped) {
      stopped = true;
      yielded = true;
      stopReplies();
    }
  }

  /** Whether {@link #yieldSlots} ended the stage. */
  synchronized boolean yielded() {
    return yielded;
  }

  private void stopReplies() {
    for (Waiting w : waiting) {
      w.ctx().reply(stopWire);
    }
    waiting.clear();
  }

  private synchronized void onReady(Ready m, RpcCallContext ctx) {
    if (m.stage() != stage || m.attempt() < attempt) {
      ctx.reply(stopWire); // a late task of an earlier stage or of a failed attempt
      return;
    }
    if (m.attempt() > attempt) {
      attempt = m.attempt();
      List<Waiting> stale = new ArrayList<>(waiting);
      waiting.clear();
      for (Waiting w : stale) {
        if (w.attempt() < attempt) {
          w.ctx().reply(stopWire);
        } else {
          waiting.add(w);
        }
      }
    }
    if (current != null && m.iteration() == current.iteration() && !complete) {
      store(m);
    }
    boolean lastDone = current != null && complete && current.iteration() + 1 >= stageEnd;
    if (stopped || lastDone || m.iteration() + 1 >= stageEnd) {
      ctx.reply(stopWire);
    } else if (current != null && !complete && m.iteration() < current.iteration()) {
      ctx.reply(currentWire); // a task of a new attempt joins the iteration in flight
    } else {
      waiting.add(new Waiting(ctx, m.attempt()));
    }
  }

  /** The slowest task's compute time in the last complete iteration. */
  synchronized long slowestTaskNanos() {
    return slowestTaskNanos;
  }

  private void store(Ready m) {
    slowestTaskNanos = Math.max(slowestTaskNanos, m.computeNanos());
    for (int i = 0; i < m.groupIds().length; i++) {
      int g = m.groupIds()[i];
      if (groupSums[g] == null && !anyPartitionOf(g)) {
        groupSums[g] = m.groupSums()[i];
        covered += Math.min(partitions, (g + 1) * groupSize) - g * groupSize;
      }
    }
    for (int i = 0; i < m.partitionIds().length; i++) {
      int p = m.partitionIds()[i];
      if (partitionPartials[p] == null && groupSums[p / groupSize] == null) {
        partitionPartials[p] = m.partitionPartials()[i];
        covered++;
      }
    }
    if (covered == partitions) {
      complete = true;
      notifyAll();
    }
  }

  private boolean anyPartitionOf(int g) {
    for (int p = g * groupSize; p < Math.min(partitions, (g + 1) * groupSize); p++) {
      if (partitionPartials[p] != null) {
        return true;
      }
    }
    return false;
  }

  @Override
  public PartialFunction<Object, BoxedUnit> receiveAndReply(RpcCallContext ctx) {
    return new AbstractPartialFunction<>() {
      @Override
      public boolean isDefinedAt(Object message) {
        return message instanceof Ready || message instanceof byte[];
      }

      @Override
      @SuppressWarnings("unchecked")
      public <A1, B1> B1 applyOrElse(A1 message, Function1<A1, B1> otherwise) {
        if (isDefinedAt(message) && RpcWire.decode(message) instanceof Ready r) {
          onReady(r, ctx);
          return (B1) BoxedUnit.UNIT;
        }
        return otherwise.apply(message);
      }
    };
  }

  /** Spark gave up on the barrier stage; the cause is what Spark reported. */
  static final class StageFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StageFailedException(Throwable cause) {
      super(cause == null ? "the barrier stage failed" : cause.getMessage(), cause);
    }
  }
}
