package io.spindle.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEndpoint;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.rpc.RpcTimeout;
import org.apache.spark.scheduler.TaskLocation;
import scala.collection.JavaConverters;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.reflect.ClassTag;

/**
 * Every Spark API Spindle uses that is not public: {@code private[spark]} in Scala, public in
 * the bytecode, and free to change between Spark releases. Kept in this one class so an upgrade
 * has one place to look; {@code SparkInternalsTest} pins each one against the Spark version
 * in the pom.
 *
 * <ul>
 *   <li>the RPC environment ({@code SparkEnv.rpcEnv}, {@code RpcEndpoint}, {@code askSync}):
 *       the barrier stage's per-iteration exchange with the driver;
 *   <li>{@code SparkContext.maxNumConcurrentTasks}: how many barrier tasks can run at once;
 *   <li>{@code SparkContext.getPreferredLocs}: where a cached partition lives, so the barrier
 *       task that reads it is placed there;
 *   <li>{@code Utils.isDynamicAllocationEnabled}: Spark refuses barrier stages under dynamic
 *       allocation;
 *   <li>{@code BlockManager.get} and {@code BlockResult}: a training chunk read from the cache
 *       off the task thread (read-ahead), knowing whether it came from disk and how many bytes.
 * </ul>
 */
final class SparkInternals {

  private SparkInternals() {}

  /** The driver's RPC environment (on the driver). */
  static RpcEnv driverRpcEnv(SparkContext sc) {
    return sc.env().rpcEnv();
  }

  /** Registers {@code endpoint} on the driver under {@code name}. */
  static RpcEndpointRef register(SparkContext sc, String name, RpcEndpoint endpoint) {
    return sc.env().rpcEnv().setupEndpoint(name, endpoint);
  }

  static void unregister(SparkContext sc, RpcEndpointRef ref) {
    sc.env().rpcEnv().stop(ref);
  }

  /** From a task: a reference to the driver-side endpoint {@code name} (one round trip). */
  static RpcEndpointRef endpointOnDriver(String host, int port, String name) {
    return SparkEnv.get().rpcEnv().setupEndpointRef(new RpcAddress(host, port), name);
  }

  /**
   * Sends {@code message} and waits up to {@code timeoutSeconds} for the reply, giving up early
   * when Spark kills {@code task}: a barrier stage's failed attempt is killed without a thread
   * interrupt, and a task of it still waiting here would hold its slot from the next attempt.
   */
  static Object ask(RpcEndpointRef ref, Object message, long timeoutSeconds, TaskContext task) {
    RpcTimeout timeout = new RpcTimeout(
        FiniteDuration.apply(timeoutSeconds, TimeUnit.SECONDS), "spindle barrier exchange");
    Future<Object> reply = ref.ask(message, timeout, ANY);
    FiniteDuration poll = FiniteDuration.apply(200, TimeUnit.MILLISECONDS);
    while (!reply.isCompleted()) {
      try {
        Await.ready(reply, poll);
      } catch (Exception notYet) { // TimeoutException (undeclared in Scala's signature)
        task.killTaskIfInterrupted();
        if (notYet instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the driver", notYet);
        }
      }
    }
    scala.util.Try<Object> result = reply.value().get();
    if (result.isFailure()) {
      Throwable t = result.failed().get();
      throw t instanceof RuntimeException r ? r : new IllegalStateException(t.getMessage(), t);
    }
    return result.get();
  }

  /** Task slots the cluster has now for the default resource profile. */
  static int taskSlots(SparkContext sc) {
    return sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
  }

  /**
   * Where Spark would place a task reading partition {@code p} of {@code rdd}, as location
   * strings ({@code executor_HOST_ID} for a cached block) that {@code makeRDD} accepts.
   */
  static List<String> preferredLocations(SparkContext sc, RDD<?> rdd, int p) {
    List<String> out = new ArrayList<>();
    for (TaskLocation loc : JavaConverters.seqAsJavaList(sc.getPreferredLocs(rdd, p))) {
      out.add(loc.toString());
    }
    return out;
  }

  /** Spark's own test for dynamic allocation (false in local mode unless testing). */
  static boolean dynamicAllocation(SparkConf conf) {
    return org.apache.spark.util.Utils.isDynamicAllocationEnabled(conf);
  }

  /** A cached block's value, and the bytes read from this executor's disk to get it (0 if none). */
  record CachedRead(Object value, long diskBytes) {}

  /**
   * Partition {@code partition} of RDD {@code rddId} from the block manager (memory, local disk
   * or another executor), or null when it is not cached anywhere. Safe off the task thread: the
   * read lock is taken for no task and released here, by draining the values.
   */
  static CachedRead readCached(int rddId, int partition) {
    scala.Option<org.apache.spark.storage.BlockResult> found = SparkEnv.get().blockManager()
        .get(new org.apache.spark.storage.RDDBlockId(rddId, partition), ANY);
    if (found.isEmpty()) {
      return null;
    }
    org.apache.spark.storage.BlockResult r = found.get();
    scala.collection.Iterator<Object> values = r.data();
    Object value = values.hasNext() ? values.next() : null;
    while (values.hasNext()) {
      values.next();
    }
    boolean disk = r.readMethod() == org.apache.spark.executor.DataReadMethod$.MODULE$.Disk();
    return new CachedRead(value, disk ? r.bytes() : 0);
  }

  private static final ClassTag<Object> ANY = scala.reflect.ClassTag$.MODULE$.AnyRef();
}
