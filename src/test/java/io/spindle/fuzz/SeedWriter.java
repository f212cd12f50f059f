package io.spindle.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a fuzz input that a {@code FuzzedDataProvider} reads back as the given values, so seed
 * corpora can be built from readable code instead of hand-edited bytes. Jazzer's provider takes
 * byte arrays from the front of the input and numbers from the back (most significant byte
 * first, as many bytes as the range needs): the writer keeps the two streams apart and joins
 * them in {@link #toBytes()}. {@code SeedWriterTest} checks it against Jazzer's provider.
 *
 * <p>Each call mirrors one call of the reading target, in the same order:
 * {@code intInRange(min, max, v)} for {@code consumeInt(min, max)}, {@code bool(b)} for
 * {@code consumeBoolean()}, {@code bytes(b)} for {@code consumeBytes(b.length)} (the target
 * reads the length first with {@code consumeInt}, so write it with {@link #sizedBytes}).
 */
public final class SeedWriter {

  private final ByteArrayOutputStream front = new ByteArrayOutputStream();
  /** Back bytes in the order they are consumed (the last byte of the input first). */
  private final ByteArrayOutputStream back = new ByteArrayOutputStream();

  public SeedWriter intInRange(int min, int max, int value) {
    return longInRange(min, max, value);
  }

  /**
   * The bytes that make {@code consumeLong(min, max)} (or consumeInt) return {@code value}. The
   * provider reads as many bytes as the range needs into a raw number; a raw number inside
   * [min, max] is returned as it is, any other becomes {@code min + raw % (range + 1)}.
   */
  public SeedWriter longInRange(long min, long max, long value) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(value + " is not in [" + min + ", " + max + "]");
    }
    long range = max - min; // as unsigned, like the provider
    int bytes = 0;
    while (bytes < 8 && (range >>> (8 * bytes)) != 0) {
      bytes++;
    }
    // Candidates: the value itself, then the offsets from min that wrap around to it.
    long raw = -1;
    long width = bytes == 8 ? -1L : (1L << (8 * bytes)) - 1;
    long[] candidates = {value, value - min, value - min + range + 1};
    for (long c : candidates) {
      if (Long.compareUnsigned(c, width) <= 0 && decode(c, min, max) == value) {
        raw = c;
        break;
      }
    }
    if (raw == -1 && !(bytes == 8 && decode(-1, min, max) == value)) {
      throw new IllegalArgumentException("the provider never returns " + value + " for ["
          + min + ", " + max + "]");
    }
    for (int i = bytes - 1; i >= 0; i--) {
      back.write((int) (raw >>> (8 * i)) & 0xFF);
    }
    return this;
  }

  /** What the provider returns for the raw number {@code raw}. */
  private static long decode(long raw, long min, long max) {
    if (raw >= min && raw <= max) {
      return raw;
    }
    long range = max - min;
    return range == -1 ? min + raw : min + Long.remainderUnsigned(raw, range + 1);
  }

  /** {@code consumeInt()}: four bytes, any value. */
  public SeedWriter anyInt(int value) {
    for (int i = 3; i >= 0; i--) {
      back.write((value >>> (8 * i)) & 0xFF);
    }
    return this;
  }

  public SeedWriter bool(boolean value) {
    back.write(value ? 1 : 0);
    return this;
  }

  public SeedWriter bytes(byte[] data) {
    front.writeBytes(data);
    return this;
  }

  /** The length as {@code consumeInt(0, maxLength)}, then the bytes. */
  public SeedWriter sizedBytes(int maxLength, byte[] data) {
    intInRange(0, maxLength, data.length);
    return bytes(data);
  }

  public SeedWriter sizedText(int maxLength, String text) {
    return sizedBytes(maxLength, text.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] toBytes() {
    byte[] f = front.toByteArray();
    byte[] b = back.toByteArray();
    byte[] out = new byte[f.length + b.length];
    System.arraycopy(f, 0, out, 0, f.length);
    for (int i = 0; i < b.length; i++) {
      out[out.length - 1 - i] = b[i];
    }
    return out;
  }
}
