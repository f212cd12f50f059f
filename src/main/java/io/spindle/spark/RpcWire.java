package io.spindle.spark;

import java.nio.ByteBuffer;
import org.apache.spark.SparkEnv;
import scala.reflect.ClassTag;

/**
 * How the barrier exchange's messages cross Spark's RPC environment. An executor's RPC
 * environment deserializes what arrives on its network threads with Spark's own class loader,
 * which does not see the application jar ({@code ClassNotFoundException} on a real cluster,
 * and the executor exits). So off-JVM messages travel as bytes made by Spark's closure
 * serializer (Java serialization, as every task closure) and are decoded by the receiving
 * task or endpoint with Spindle's class loader. In local mode the RPC environment hands
 * messages over by reference, and they are sent as they are.
 */
final class RpcWire {

  private static final ClassTag<Object> OBJECT = scala.reflect.ClassTag$.MODULE$.AnyRef();

  private RpcWire() {}

  /** The message as sent: itself when {@code local}, else its serialized bytes. */
  static Object encode(Object message, boolean local) {
    if (local) {
      return message;
    }
    ByteBuffer buf = SparkEnv.get().closureSerializer().newInstance().serialize(message, OBJECT);
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    return bytes;
  }

  /** The message that {@link #encode} sent. */
  static Object decode(Object wire) {
    if (!(wire instanceof byte[] bytes)) {
      return wire;
    }
    return SparkEnv.get().closureSerializer().newInstance().deserialize(ByteBuffer.wrap(bytes),
        RpcWire.class.getClassLoader(), OBJECT);
  }
}
