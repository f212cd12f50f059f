package io.spindle.spark;

import io.spindle.spark.BarrierMessages.Ready;
import io.spindle.spark.BarrierMessages.Work;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rpc.RpcEndpointRef;
import scala.runtime.AbstractFunction1;

/**
 * The body of one barrier task: a long-lived worker for a contiguous range of the training
 * partitions (shards of chunks). It asks the driver's {@link IterationExchange} for work, computes each of its
 * partitions' partials for that iteration, sends them with the next request, and repeats until
 * told to stop (the end of the stage's iterations, or of training).
 *
 * <p>The shards' chunks are read from Spark's block manager ({@link CachedChunks}): from memory
 * or disk (one window at a time, the next read ahead), or recomputed from the lineage if an
 * executor holding them was lost. Each stage task is placed where its chunks are cached
 * ({@link BarrierGradientSource} gives the stage those locations).
 *
 * <p>Where the task's range covers a whole group of the reduction's first level, it folds the
 * group itself (left to right, as {@link OrderedTreeSum} would on an executor) and sends one
 * partial instead of several.
 */
final class BarrierStageTask
    extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<Long>>
    implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Broadcast<ClosureSerialized<RunSetup>> setup;
  private final int shards;
  private final int[] slotStart;
  private final int groupSize;
  private final String driverHost;
  private final int driverPort;
  private final String endpoint;
  private final int stage;
  private final long askTimeoutSeconds;
  private final boolean local;

  BarrierStageTask(Broadcast<ClosureSerialized<RunSetup>> setup, int shards, int[] slotStart, int groupSize, String driverHost, int driverPort, String endpoint,
      int stage, long askTimeoutSeconds, boolean local) {
    this.setup = setup;
    this.shards = shards;
    this.slotStart = slotStart.clone();
    this.groupSize = groupSize;
    this.driverHost = driverHost;
    this.driverPort = driverPort;
    this.endpoint = endpoint;
    this.stage = stage;
    this.askTimeoutSeconds = askTimeoutSeconds;
    this.local = local;
  }

  @Override
  public scala.collection.Iterator<Long> apply(scala.collection.Iterator<Integer> slotIndex) {
    TaskContext ctx = TaskContext.get();
    int slot = ctx.partitionId();
    int attempt = ctx.stageAttemptNumber();
    RunSetup run = setup.value().get();
    RpcEndpointRef driver = SparkInternals.endpointOnDriver(driverHost, driverPort, endpoint);
    int from = slotStart[slot];
    int to = slotStart[slot + 1];
    long iterations = 0;
    CachedChunks chunks = PartitionGradients.chunks(run, ctx);
    Object reply = RpcWire.decode(SparkInternals.ask(driver,
        RpcWire.encode(Ready.first(stage, slot, attempt), local), askTimeoutSeconds, ctx));
    while (reply instanceof Work work) {
      long start = System.nanoTime();
      float[] weights = work.weights();
      List<Integer> groupIds = new ArrayList<>();
      List<GradientPartial> groupSums = new ArrayList<>();
      List<Integer> partitionIds = new ArrayList<>();
      List<GradientPartial> singles = new ArrayList<>();
      for (int g = from / groupSize; g * groupSize < to; g++) {
        int groupFrom = g * groupSize;
        int groupTo = Math.min(shards, groupFrom + groupSize);
        boolean whole = groupFrom >= from && groupTo <= to;
        GradientPartial acc = null;
        for (int p = Math.max(groupFrom, from); p < Math.min(groupTo, to); p++) {
          GradientPartial partial = PartitionGradients.compute(run, p, chunks, weights,
              work.epoch(), work.step(), work.iteration());
          if (!whole) {
            partitionIds.add(p);
            singles.add(partial);
          } else {
            acc = acc == null ? partial : acc.merge(partial);
          }
        }
        if (whole) {
          groupIds.add(g);
          groupSums.add(acc);
        }
      }
      Ready done = new Ready(stage, slot, attempt, work.iteration(),
          groupIds.stream().mapToInt(Integer::intValue).toArray(),
          groupSums.toArray(new GradientPartial[0]),
          partitionIds.stream().mapToInt(Integer::intValue).toArray(),
          singles.toArray(new GradientPartial[0]), System.nanoTime() - start);
      iterations++;
      reply = RpcWire.decode(SparkInternals.ask(driver, RpcWire.encode(done, local),
          askTimeoutSeconds, ctx));
    }
    return scala.collection.Iterator$.MODULE$.single(iterations);
  }
}
