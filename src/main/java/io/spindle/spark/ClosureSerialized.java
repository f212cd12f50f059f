package io.spindle.spark;

import java.io.Serializable;
import java.nio.ByteBuffer;
import org.apache.spark.SparkEnv;
import scala.reflect.ClassTag;

/**
 * A broadcast value held as the bytes Spark's closure serializer (always Java serialization)
 * made of it, so that it travels under whatever {@code spark.serializer} the application
 * chose. Kryo, the usual choice, cannot serialize records or the JDK's immutable collections,
 * which the network spec and run setup are made of; a plain byte array it can. The bytes come
 * from this application's driver, the same trust as the task closures Spark ships anyway.
 * Deserialized once per executor: the broadcast value is one shared object there.
 */
final class ClosureSerialized<T> implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final ClassTag<Object> OBJECT = scala.reflect.ClassTag$.MODULE$.AnyRef();

  private final byte[] bytes;
  private transient volatile T value;

  private ClosureSerialized(byte[] bytes, T value) {
    this.bytes = bytes;
    this.value = value;
  }

  static <T extends Serializable> ClosureSerialized<T> of(T value) {
    ByteBuffer buf = SparkEnv.get().closureSerializer().newInstance().serialize(value, OBJECT);
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    return new ClosureSerialized<>(bytes, value);
  }

  @SuppressWarnings("unchecked")
  T get() {
    T v = value;
    if (v == null) {
      synchronized (this) {
        v = value;
        if (v == null) {
          v = (T) SparkEnv.get().closureSerializer().newInstance()
              .deserialize(ByteBuffer.wrap(bytes), OBJECT);
          value = v;
        }
      }
    }
    return v;
  }
}
