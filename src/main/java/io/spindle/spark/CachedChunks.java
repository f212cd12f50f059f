package io.spindle.spark;

import io.spindle.data.ChunkSource;
import io.spindle.data.ExampleBlock;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.TaskContext;
import scala.collection.JavaConverters;

/**
 * A training task's view of the run's chunks: each read from Spark's block manager (memory,
 * local disk, or another executor), with the next window read ahead on a background thread so
 * disk reads overlap the computation. Counts the bytes read from disk, for the epoch's log line.
 *
 * <p>A chunk cached nowhere (a lost executor's, or one Spark dropped under a memory-only storage
 * level) is rebuilt on the task thread through the RDD's {@code iterator}, exactly as a task of
 * the chunk RDD would, which also caches it again.
 */
final class CachedChunks implements ChunkSource {

  /** Background readers shared by every task of this executor (reads are I/O and decoding). */
  private static final ExecutorService READERS = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "spindle-chunk-read-ahead");
    t.setDaemon(true);
    return t;
  });

  private final RunSetup run;
  private final ExecutorCache.RunState state;
  private final TaskContext task;
  private long diskBytes;

  CachedChunks(RunSetup run, ExecutorCache.RunState state, TaskContext task) {
    this.run = run;
    this.state = state;
    this.task = task;
  }

  @Override
  public ExampleBlock chunk(int chunk) {
    SparkInternals.CachedRead read = null;
    Future<SparkInternals.CachedRead> ahead = state.readAhead.remove(chunk);
    if (ahead != null) {
      try {
        read = ahead.get();
      } catch (ExecutionException e) {
        read = null; // read it again below, where a failure reaches the task
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading training chunk " + chunk, e);
      }
    }
    if (read == null) {
      read = SparkInternals.readCached(run.chunks().id(), chunk);
    }
    if (read != null && read.value() instanceof ExampleBlock block) {
      diskBytes += read.diskBytes();
      return block;
    }
    Iterator<ExampleBlock> it = JavaConverters.asJavaIterator(
        run.chunks().iterator(run.chunkPartitions()[chunk], task));
    ExampleBlock block = it.hasNext() ? it.next() : null;
    if (it.hasNext()) {
      throw new IllegalStateException("training chunk " + chunk + " holds several blocks;"
          + " pack the training RDD with BlockRdds.pack");
    }
    return block;
  }

  @Override
  public void readAhead(int[] chunks) {
    int rdd = run.chunks().id();
    for (int c : chunks) {
      state.readAhead.computeIfAbsent(c,
          k -> READERS.submit(() -> SparkInternals.readCached(rdd, k)));
    }
  }

  /** Bytes read from disk since the last call. */
  long takeDiskBytes() {
    long b = diskBytes;
    diskBytes = 0;
    return b;
  }
}
