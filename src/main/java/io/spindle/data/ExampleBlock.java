package io.spindle.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One partition's training examples packed into flat arrays: features stay compact (uint8 with
 * a scale, e.g. 1/255 for pixels, or float32) and are turned into floats batch by batch.
 * Targets are {@code count x targetSize} floats (a class index, or regression/binary targets).
 */
public final class ExampleBlock implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int count;
  private final int featureSize;
  private final int targetSize;
  /** uint8 features (count x featureSize), or null when {@link #floats} holds them. */
  private final byte[] bytes;
  private final float byteScale;
  private final float[] floats;
  private final float[] targets;

  private ExampleBlock(int count, int featureSize, int targetSize, byte[] bytes, float byteScale,
      float[] floats, float[] targets) {
    if (count < 0 || featureSize <= 0 || targetSize <= 0) {
      throw new IllegalArgumentException("invalid block geometry: count=" + count
          + " featureSize=" + featureSize + " targetSize=" + targetSize);
    }
    long features = (long) count * featureSize;
    long have = bytes != null ? bytes.length : floats.length;
    if (have < features || targets.length < (long) count * targetSize) {
      throw new IllegalArgumentException("block arrays are shorter than " + count + " examples");
    }
    this.count = count;
    this.featureSize = featureSize;
    this.targetSize = targetSize;
    this.bytes = bytes;
    this.byteScale = byteScale;
    this.floats = floats;
    this.targets = targets;
  }

  /** Examples whose features are uint8, scaled by {@code scale} when read. */
  public static ExampleBlock ofBytes(byte[] features, float scale, float[] targets, int count,
      int featureSize, int targetSize) {
    return new ExampleBlock(count, featureSize, targetSize, features, scale, null, targets);
  }

  public static ExampleBlock ofFloats(float[] features, float[] targets, int count,
      int featureSize, int targetSize) {
    return new ExampleBlock(count, featureSize, targetSize, null, 1f, features, targets);
  }

  public int count() {
    return count;
  }

  public int featureSize() {
    return featureSize;
  }

  public int targetSize() {
    return targetSize;
  }

  public boolean isCompact() {
    return bytes != null;
  }

  /** Bytes the block holds in memory (for logs and memory planning). */
  public long sizeInBytes() {
    long f = bytes != null ? (long) count * featureSize : 4L * count * featureSize;
    return f + 4L * count * targetSize;
  }

  /**
   * Copies examples {@code order[from .. from+n)} into the batch buffers as floats:
   * {@code x} gets n x featureSize, {@code y} gets n x targetSize.
   */
  public void gather(int[] order, int from, int n, float[] x, float[] y) {
    for (int j = 0; j < n; j++) {
      copyExample(order[from + j], j, x, y);
    }
  }

  /** Copies the contiguous examples {@code [from, from+n)} (evaluation order). */
  public void gatherRange(int from, int n, float[] x, float[] y) {
    for (int j = 0; j < n; j++) {
      copyExample(from + j, j, x, y);
    }
  }

  /** Copies one example into slot {@code slot} of the batch buffers, features as floats. */
  public void copyExample(int example, int slot, float[] x, float[] y) {
    int src = example * featureSize;
    int dst = slot * featureSize;
    if (bytes != null) {
      for (int i = 0; i < featureSize; i++) {
        x[dst + i] = (bytes[src + i] & 0xFF) * byteScale;
      }
    } else {
      System.arraycopy(floats, src, x, dst, featureSize);
    }
    System.arraycopy(targets, example * targetSize, y, slot * targetSize, targetSize);
  }

  /** Index of the first example with a NaN or infinite feature, or -1 (uint8 never has one). */
  public int firstNonFinite() {
    if (bytes != null) {
      return -1;
    }
    for (int i = 0; i < count * featureSize; i++) {
      if (!Float.isFinite(floats[i])) {
        return i / featureSize;
      }
    }
    return -1;
  }

  /**
   * A short digest of the examples (geometry, features, targets, in order): a resumed run
   * compares it with its checkpoint's to prove it trains on the same data. CRC-32C, so it
   * catches changed or reordered data, not deliberate collisions.
   */
  public String fingerprint() {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    long n = (long) count * featureSize;
    if (bytes != null) {
      crc.update(bytes, 0, (int) n);
      buf.putFloat(byteScale);
    } else {
      for (int i = 0; i < n; i++) {
        if (buf.remaining() < 4) {
          crc.update(buf.flip());
          buf.clear();
        }
        buf.putFloat(floats[i]);
      }
    }
    for (int i = 0; i < count * targetSize; i++) {
      if (buf.remaining() < 4) {
        crc.update(buf.flip());
        buf.clear();
      }
      buf.putFloat(targets[i]);
    }
    crc.update(buf.flip());
    return String.format("crc32c:%08x:%dx%d%s->%d", crc.getValue(), count, featureSize,
        bytes != null ? "u8" : "f32", targetSize);
  }

  /**
   * Flat index (example x featureSize + feature) of the first NaN or infinite feature value,
   * or -1 (uint8 never has one).
   */
  public long firstNonFiniteValue() {
    if (bytes != null) {
      return -1;
    }
    long n = (long) count * featureSize;
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(floats[i])) {
        return i;
      }
    }
    return -1;
  }

  /** The target floats of one example (a view copy, for tests and validation). */
  public float[] target(int example) {
    return Arrays.copyOfRange(targets, example * targetSize, (example + 1) * targetSize);
  }

  /** A new block holding example {@code order[i]} at position i, in the same encoding. */
  public ExampleBlock reordered(int[] order) {
    int n = order.length;
    float[] t = new float[n * targetSize];
    byte[] b8 = bytes != null ? new byte[n * featureSize] : null;
    float[] f32 = bytes != null ? null : new float[n * featureSize];
    for (int i = 0; i < n; i++) {
      int e = order[i];
      if (b8 != null) {
        System.arraycopy(bytes, e * featureSize, b8, i * featureSize, featureSize);
      } else {
        System.arraycopy(floats, e * featureSize, f32, i * featureSize, featureSize);
      }
      System.arraycopy(targets, e * targetSize, t, i * targetSize, targetSize);
    }
    return b8 != null ? ofBytes(b8, byteScale, t, n, featureSize, targetSize)
        : ofFloats(f32, t, n, featureSize, targetSize);
  }

  /** Examples {@code [from, to)} as a new block (used to split data into partitions). */
  public ExampleBlock slice(int from, int to) {
    if (from < 0 || to > count || from > to) {
      throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + count);
    }
    int n = to - from;
    float[] t = Arrays.copyOfRange(targets, from * targetSize, to * targetSize);
    if (bytes != null) {
      return ofBytes(Arrays.copyOfRange(bytes, from * featureSize, to * featureSize), byteScale,
          t, n, featureSize, targetSize);
    }
    return ofFloats(Arrays.copyOfRange(floats, from * featureSize, to * featureSize), t, n,
        featureSize, targetSize);
  }

  /**
   * One block holding {@code parts} in order (packs a Spark partition's pieces into the single
   * block per partition the trainers expect). All parts must agree on geometry and encoding.
   */
  public static ExampleBlock concat(java.util.List<ExampleBlock> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("concat needs at least one block");
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    ExampleBlock first = parts.get(0);
    long total = 0;
    for (ExampleBlock b : parts) {
      if (b.featureSize != first.featureSize || b.targetSize != first.targetSize
          || b.isCompact() != first.isCompact() || b.byteScale != first.byteScale) {
        throw new IllegalArgumentException("cannot pack blocks of different layouts: "
            + first.describe() + " and " + b.describe() + "; convert the examples to one layout first");
      }
      total += b.count;
    }
    if (total * first.featureSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a partition of " + total + " examples x "
          + first.featureSize + " features exceeds one Java array; use more partitions");
    }
    int n = (int) total;
    float[] t = new float[n * first.targetSize];
    byte[] b8 = first.isCompact() ? new byte[n * first.featureSize] : null;
    float[] f32 = first.isCompact() ? null : new float[n * first.featureSize];
    int at = 0;
    for (ExampleBlock b : parts) {
      int len = b.count * first.featureSize;
      if (b8 != null) {
        System.arraycopy(b.bytes, 0, b8, at * first.featureSize, len);
      } else {
        System.arraycopy(b.floats, 0, f32, at * first.featureSize, len);
      }
      System.arraycopy(b.targets, 0, t, at * first.targetSize, b.count * first.targetSize);
      at += b.count;
    }
    return b8 != null ? ofBytes(b8, first.byteScale, t, n, first.featureSize, first.targetSize)
        : ofFloats(f32, t, n, first.featureSize, first.targetSize);
  }

  private String describe() {
    return count + " x " + featureSize + (isCompact() ? " uint8" : " float32") + " -> " + targetSize;
  }

  @Override
  public String toString() {
    return "ExampleBlock(" + describe() + ")";
  }

  /** Splits into {@code parts} contiguous blocks whose sizes differ by at most one. */
  public ExampleBlock[] split(int parts) {
    ExampleBlock[] out = new ExampleBlock[parts];
    for (int p = 0; p < parts; p++) {
      out[p] = slice((int) ((long) count * p / parts), (int) ((long) count * (p + 1) / parts));
    }
    return out;
  }
}
