package io.spindle.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rpc.RpcCallContext;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.rpc.ThreadSafeRpcEndpoint;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;
import scala.Function1;
import scala.PartialFunction;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * Pins the internal ({@code private[spark]}) Spark APIs that {@link SparkInternals} wraps, so a
 * Spark upgrade that changes one fails here, by name, rather than somewhere in training.
 */
class SparkInternalsTest extends SparkTestBase {

  @Test
  void aTaskReachesADriverEndpointOverTheRpcEnvironmentAndGetsItsReply() {
    String name = "spindle-test-echo-" + System.nanoTime();
    RpcEnv env = SparkInternals.driverRpcEnv(jsc().sc());
    RpcEndpointRef ref = SparkInternals.register(jsc().sc(), name, new Echo(env));
    try {
      String host = env.address().host();
      int port = env.address().port();
      List<String> replies = jsc().parallelize(List.of(1, 2), 2).map(i -> (String)
          SparkInternals.ask(SparkInternals.endpointOnDriver(host, port, name), "ping " + i, 30,
              TaskContext.get())).collect();
      assertEquals(List.of("echo ping 1", "echo ping 2"), replies);
    } finally {
      SparkInternals.unregister(jsc().sc(), ref);
    }
  }

  @Test
  void taskSlotsAreTheLocalMastersThreads() {
    assertEquals(2, SparkInternals.taskSlots(jsc().sc()), "local[2]");
  }

  @Test
  void aCachedPartitionIsPlacedOnTheExecutorHoldingIt() {
    JavaRDD<Integer> rdd = jsc().parallelize(List.of(1, 2, 3, 4), 2)
        .persist(StorageLevel.MEMORY_ONLY());
    try {
      rdd.count();
      // The scheduler memoizes cache locations per job; the next job sees the cached blocks.
      rdd.count();
      List<String> locs = SparkInternals.preferredLocations(jsc().sc(), rdd.rdd(), 1);
      assertEquals(1, locs.size(), locs.toString());
      assertTrue(locs.get(0).startsWith("executor_"), locs.toString());
    } finally {
      rdd.unpersist(true);
    }
  }

  @Test
  void dynamicAllocationIsSparksOwnTest() {
    SparkConf cluster = new SparkConf().setMaster("spark://127.0.0.1:7077");
    assertFalse(SparkInternals.dynamicAllocation(cluster));
    assertTrue(SparkInternals.dynamicAllocation(
        cluster.clone().set("spark.dynamicAllocation.enabled", "true")));
    assertFalse(SparkInternals.dynamicAllocation(new SparkConf().setMaster("local[2]")
        .set("spark.dynamicAllocation.enabled", "true")), "ignored in local mode");
  }

  /** Replies "echo " + the message. */
  static final class Echo implements ThreadSafeRpcEndpoint {
    private final RpcEnv env;

    Echo(RpcEnv env) {
      this.env = env;
    }

    @Override
    public RpcEnv rpcEnv() {
      return env;
    }

    @Override
    public PartialFunction<Object, BoxedUnit> receiveAndReply(RpcCallContext ctx) {
      return new AbstractPartialFunction<>() {
        @Override
        public boolean isDefinedAt(Object m) {
          return m instanceof String;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A1, B1> B1 applyOrElse(A1 m, Function1<A1, B1> otherwise) {
          if (m instanceof String s) {
            ctx.reply("echo " + s);
            return (B1) BoxedUnit.UNIT;
          }
          return otherwise.apply(m);
        }
      };
    }
  }
}
