package io.spindle.data;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spindle.fuzz.FuzzSupport;
import io.spindle.fuzz.SeedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Fuzzes the idx reader ({@link MnistIdx}, {@link IdxStream}, {@link Md5Sums}) with files built
 * from the fuzzer's bytes: a header (right, swapped or arbitrary magic; small, boundary or
 * arbitrary sizes), a payload of about the declared length, raw or gzip, then damaged (cut,
 * flipped byte, appended bytes); or arbitrary bytes; or a missing file or a directory; with
 * or without an MD5SUMS (right, wrong or arbitrary) and verification, read as images, labels or
 * a pair, with or without a limit.
 *
 * <p>The reader may only return a consistent result or throw a {@link DataFormatException}
 * with a one-line message naming the file. {@link UncheckedIOException} is documented for
 * real disk errors, which a scratch directory does not have, so here it is a finding too.
 * Results are checked against the bytes written: counts within the header and the limit, pixels
 * and labels equal to the payload, a whole read leaving nothing over, no success when a listed
 * checksum does not match.
 *
 * <p>Regression mode ({@code mvn test}) runs the seeds under
 * {@code src/test/resources/io/spindle/data/MnistIdxFuzzTestInputs/idxFiles} (written by
 * {@link #seeds()}); {@code mvn verify} fuzzes briefly; {@code bench/fuzz.sh} fuzzes longer.
 */
public class MnistIdxFuzzTest {

  static final int MAX_PAYLOAD = 1 << 16;
  static final int MAX_RAW = 1 << 14;
  static final int MAX_SUMS_TEXT = 512;
  static final int MAX_LIMIT = 1 << 16;
  static final long[] SPECIAL_SIZES = {0, 1, 2, 28, 60000, MnistIdx.MAX_SIDE,
      MnistIdx.MAX_SIDE + 1L, 1L << 24, Integer.MAX_VALUE, 1L << 31, 0xFFFF_FFFFL};

  static final String IMAGES = "images-idx3-ubyte";
  static final String LABELS = "labels-idx1-ubyte";

  /** What to read: images alone, labels alone, or a pair. */
  static final int OP_IMAGES = 0;
  static final int OP_LABELS = 1;
  static final int OP_PAIR = 2;

  /** How a file is made. */
  static final int FORM_STRUCTURED = 0;
  static final int FORM_RAW = 1;
  static final int FORM_MISSING = 2;
  static final int FORM_DIRECTORY = 3;

  /** Which magic a structured file gets. */
  static final int MAGIC_RIGHT = 0;
  static final int MAGIC_SWAPPED = 1;
  static final int MAGIC_ANY = 2;
  static final int MAGIC_DIMS = 3;

  /** How a size is chosen. */
  static final int SIZE_SMALL = 0;
  static final int SIZE_SPECIAL = 1;
  static final int SIZE_ANY = 2;
  static final int SIZE_SAME_AS_IMAGES = 3;

  /** What is done to the bytes on disk after writing. */
  static final int DAMAGE_NONE = 0;
  static final int DAMAGE_CUT = 1;
  static final int DAMAGE_FLIP = 2;
  static final int DAMAGE_APPEND = 3;

  /** The MD5SUMS beside the files. */
  static final int SUMS_NONE = 0;
  static final int SUMS_RIGHT = 1;
  static final int SUMS_WRONG = 2;
  static final int SUMS_TEXT = 3;

  @FuzzTest(maxDuration = "5m")
  @DictionaryEntries({"\u0000\u0000\u0008\u0003", "\u0000\u0000\u0008\u0001", MnistIdxFuzzTest.IMAGES,
      MnistIdxFuzzTest.LABELS, "  ", " *", "./", "#", "d41d8cd98f00b204e9800998ecf8427e"})
  void idxFiles(FuzzedDataProvider data) {
    read(data, FuzzSupport.emptyDir("idx"));
  }

  /**
   * Builds the files {@code data} describes in {@code dir} and reads them.
   *
   * @return the result (Images, Labels or Dataset) or the DataFormatException thrown
   */
  public static Object read(FuzzedDataProvider data, Path dir) {
    int op = data.consumeInt(OP_IMAGES, OP_PAIR);
    boolean verify = data.consumeBoolean();
    int limit = data.consumeBoolean() ? MnistIdx.ALL : data.consumeInt(1, MAX_LIMIT);
    IdxFile images = op == OP_LABELS ? null
        : IdxFile.write(data, dir.resolve(IMAGES), MnistIdx.IMAGES_MAGIC, 3, -1);
    IdxFile labels = op == OP_IMAGES ? null
        : IdxFile.write(data, dir.resolve(LABELS), MnistIdx.LABELS_MAGIC, 1,
            images == null ? -1 : images.firstSize);
    IdxFile wronglyListed = writeSums(data, dir, images, labels);

    Object result;
    try {
      result = switch (op) {
        case OP_IMAGES -> MnistIdx.readImages(images.path, limit, verify);
        case OP_LABELS -> MnistIdx.readLabels(labels.path, limit, verify);
        default -> MnistIdx.load(images.path, labels.path, limit, verify);
      };
    } catch (DataFormatException e) {
      FuzzSupport.requireUsableMessage(e, dir.toString());
      return e;
    }
    if (verify && wronglyListed != null) {
      throw new AssertionError("read " + wronglyListed.path
          + " although MD5SUMS lists a different checksum for it");
    }
    if (result instanceof MnistIdx.Images im) {
      checkImages(im, images, limit);
    } else if (result instanceof MnistIdx.Labels lb) {
      checkLabels(lb.count(), lb.declaredCount(), lb.labels(), labels, limit);
    } else {
      checkPair((MnistIdx.Dataset) result, images, labels, limit);
    }
    return result;
  }

  // ---- building the files ----

  /** One file as written, with the idx content it decompresses to (null when none). */
  static final class IdxFile {
    final Path path;
    /** The first header size (count), or -1 when the file is not structured. */
    long firstSize = -1;

    IdxFile(Path path) {
      this.path = path;
    }

    static IdxFile write(FuzzedDataProvider data, Path path, int magic, int dims,
        long imagesCount) {
      IdxFile f = new IdxFile(path);
      try {
        switch (data.consumeInt(FORM_STRUCTURED, FORM_DIRECTORY)) {
          case FORM_STRUCTURED -> Files.write(path, f.structured(data, magic, dims, imagesCount));
          case FORM_RAW -> Files.write(path, data.consumeBytes(data.consumeInt(0, MAX_RAW)));
          case FORM_MISSING -> { }
          default -> Files.createDirectory(path);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return f;
    }

    private byte[] structured(FuzzedDataProvider data, int magic, int dims, long imagesCount) {
      int other = magic == MnistIdx.IMAGES_MAGIC ? MnistIdx.LABELS_MAGIC : MnistIdx.IMAGES_MAGIC;
      int m = switch (data.consumeInt(MAGIC_RIGHT, MAGIC_DIMS)) {
        case MAGIC_RIGHT -> magic;
        case MAGIC_SWAPPED -> other;
        case MAGIC_ANY -> data.consumeInt();
        default -> (magic & ~0xFF) | data.consumeInt(0, 255);
      };
      long[] sizes = new long[dims];
      long declared = 1;
      for (int i = 0; i < dims; i++) {
        sizes[i] = size(data, i == 0 ? imagesCount : -1);
        declared = Math.min(declared * sizes[i], 1L << 40); // sizes < 2^32: no overflow
      }
      firstSize = sizes[0];
      long wanted = Math.min(declared, MAX_PAYLOAD) + data.consumeInt(-2, 2);
      byte[] payload = data.consumeBytes((int) Math.max(0, Math.min(wanted, MAX_PAYLOAD)));
      ByteBuffer content = ByteBuffer.allocate(4 + 4 * dims + payload.length).putInt(m);
      for (long s : sizes) {
        content.putInt((int) s);
      }
      byte[] bytes = content.put(payload).array();
      if (data.consumeBoolean()) {
        bytes = FuzzSupport.gzip(bytes);
      }
      switch (data.consumeInt(DAMAGE_NONE, DAMAGE_APPEND)) {
        case DAMAGE_CUT -> bytes = Arrays.copyOf(bytes,
            Math.max(0, bytes.length - data.consumeInt(1, 16)));
        case DAMAGE_FLIP -> bytes[data.consumeInt(0, bytes.length - 1)] ^= (byte) data.consumeInt(1, 255);
        case DAMAGE_APPEND -> {
          byte[] tail = data.consumeBytes(data.consumeInt(1, 16));
          bytes = Arrays.copyOf(bytes, bytes.length + tail.length);
          System.arraycopy(tail, 0, bytes, bytes.length - tail.length, tail.length);
        }
        default -> { }
      }
      return bytes;
    }

    private static long size(FuzzedDataProvider data, long imagesCount) {
      return switch (data.consumeInt(SIZE_SMALL, SIZE_SAME_AS_IMAGES)) {
        case SIZE_SMALL -> data.consumeInt(0, 40);
        case SIZE_SPECIAL -> SPECIAL_SIZES[data.consumeInt(0, SPECIAL_SIZES.length - 1)];
        case SIZE_ANY -> Integer.toUnsignedLong(data.consumeInt());
        default -> imagesCount >= 0 ? imagesCount : data.consumeInt(0, 40);
      };
    }
  }

  /**
   * Writes MD5SUMS as {@code data} says. Returns the file listed with a wrong checksum, if any
   * (the first regular file).
   */
  private static IdxFile writeSums(FuzzedDataProvider data, Path dir, IdxFile... files) {
    int kind = data.consumeInt(SUMS_NONE, SUMS_TEXT);
    if (kind == SUMS_NONE) {
      return null;
    }
    Path sums = dir.resolve(Md5Sums.FILE_NAME);
    try {
      if (kind == SUMS_TEXT) {
        Files.write(sums, data.consumeBytes(data.consumeInt(0, MAX_SUMS_TEXT)));
        return null;
      }
      StringBuilder text = new StringBuilder();
      IdxFile wrong = null;
      for (IdxFile f : files) {
        if (f == null || !Files.isRegularFile(f.path)) {
          continue;
        }
        String md5 = Md5Sums.md5Hex(f.path);
        if (kind == SUMS_WRONG && wrong == null) {
          wrong = f;
          md5 = (md5.charAt(0) == '0' ? "1" : "0") + md5.substring(1);
        }
        text.append(md5).append("  ").append(f.path.getFileName()).append('\n');
      }
      Files.writeString(sums, text);
      return wrong;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- checking a result against the bytes on disk ----

  private static void checkImages(MnistIdx.Images im, IdxFile file, int limit) {
    byte[] content = decompressed(file.path);
    ByteBuffer h = ByteBuffer.wrap(content);
    check(h.getInt() == MnistIdx.IMAGES_MAGIC, "magic");
    long count = Integer.toUnsignedLong(h.getInt());
    int rows = h.getInt();
    int cols = h.getInt();
    check(im.declaredCount() == count && im.rows() == rows && im.cols() == cols, "header");
    check(rows >= 1 && cols >= 1 && rows <= MnistIdx.MAX_SIDE && cols <= MnistIdx.MAX_SIDE,
        "sides within [1, MAX_SIDE]");
    check(im.count() >= 1 && im.count() <= Math.min(limit, count), "count within header and limit");
    int size = rows * cols;
    check(im.pixels().length == (long) im.count() * size, "pixel array length");
    check(Arrays.equals(im.pixels(), Arrays.copyOfRange(content, 16, 16 + im.count() * size)),
        "pixels equal the payload");
    if (im.count() == count) {
      check(content.length == 16 + count * size, "a whole read leaves no bytes over");
    }
  }

  private static void checkLabels(int n, long declared, byte[] labels, IdxFile file, int limit) {
    byte[] content = decompressed(file.path);
    ByteBuffer h = ByteBuffer.wrap(content);
    check(h.getInt() == MnistIdx.LABELS_MAGIC, "magic");
    long count = Integer.toUnsignedLong(h.getInt());
    check(declared == count, "header");
    check(n >= 1 && n <= Math.min(limit, count), "count within header and limit");
    check(Arrays.equals(Arrays.copyOf(labels, n), Arrays.copyOfRange(content, 8, 8 + n)),
        "labels equal the payload");
    if (n == count) {
      check(content.length == 8 + count, "a whole read leaves no bytes over");
    }
  }

  private static void checkPair(MnistIdx.Dataset ds, IdxFile images, IdxFile labels, int limit) {
    int n = ds.count();
    ExampleBlock block = ds.block();
    int size = ds.shape().height() * ds.shape().width();
    check(block.featureSize() == size && block.targetSize() == 1, "block geometry");
    float[] x = new float[n * size];
    float[] y = new float[n];
    block.gatherRange(0, n, x, y);
    byte[] pixels = new byte[n * size];
    byte[] labelBytes = new byte[n];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) Math.round(x[i] / MnistIdx.PIXEL_SCALE);
    }
    for (int i = 0; i < n; i++) {
      labelBytes[i] = (byte) y[i];
    }
    checkImages(new MnistIdx.Images(images.path, n, ds.declaredCount(), ds.shape().height(),
        ds.shape().width(), pixels), images, limit);
    checkLabels(n, ds.declaredCount(), labelBytes, labels, limit);
  }

  /**
   * The idx bytes of a file the reader accepted: gunzipped when it is gzip, leniently (a read
   * with a limit need not reach a damaged end, and java.util.zip skips bytes after the stream).
   */
  static byte[] decompressed(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      if (bytes.length < 2 || (bytes[0] & 0xFF) != 0x1f || (bytes[1] & 0xFF) != 0x8b) {
        return bytes;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        // Byte by byte: a larger read that reaches corrupt deflate data throws away the bytes
        // it inflated before it, which a reader that stopped at its limit did get.
        for (int b; (b = in.read()) >= 0; ) {
          out.write(b);
        }
      } catch (IOException damagedEnd) {
        // keep what was decompressed before the damage
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError("accepted an inconsistent file: " + what);
    }
  }

  // ---- the seed corpus ----

  /**
   * Named seeds for the corpus directory: "valid-*" ones must read, the others must be refused.
   * {@code FuzzSeedCorpusTest} checks both and that the committed files equal these.
   */
  public static Map<String, byte[]> seeds() {
    byte[] pixels = new byte[2 * 3 * 3];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 14);
    }
    byte[] two = {7, 1};
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    seeds.put("valid-images-raw", seed(OP_IMAGES, true, MnistIdx.ALL,
        images(MAGIC_RIGHT, pixels, false, DAMAGE_NONE, 2, 3, 3), null, SUMS_NONE));
    seeds.put("valid-images-gzip-limit", seed(OP_IMAGES, true, 1,
        images(MAGIC_RIGHT, pixels, true, DAMAGE_NONE, 2, 3, 3), null, SUMS_NONE));
    seeds.put("valid-labels-gzip", seed(OP_LABELS, true, MnistIdx.ALL, null,
        labels(MAGIC_RIGHT, two, true, DAMAGE_NONE, 2), SUMS_NONE));
    seeds.put("valid-pair-checksums", seed(OP_PAIR, true, MnistIdx.ALL,
        images(MAGIC_RIGHT, pixels, true, DAMAGE_NONE, 2, 3, 3),
        labels(MAGIC_RIGHT, two, false, DAMAGE_NONE, -1), SUMS_RIGHT));
    seeds.put("bad-magic", seed(OP_LABELS, false, MnistIdx.ALL, null,
        raw(idx(0x12345678, new int[] {2}, two)), SUMS_NONE));
    seeds.put("swapped-magic", seed(OP_IMAGES, false, MnistIdx.ALL,
        images(MAGIC_SWAPPED, pixels, false, DAMAGE_NONE, 2, 3, 3), null, SUMS_NONE));
    seeds.put("truncated-raw", seed(OP_IMAGES, false, MnistIdx.ALL,
        images(MAGIC_RIGHT, pixels, false, DAMAGE_CUT, 2, 3, 3), null, SUMS_NONE));
    seeds.put("truncated-gzip", seed(OP_LABELS, false, MnistIdx.ALL, null,
        labels(MAGIC_RIGHT, two, true, DAMAGE_CUT, 2), SUMS_NONE));
    seeds.put("trailing-bytes", seed(OP_LABELS, false, MnistIdx.ALL, null,
        labels(MAGIC_RIGHT, two, false, DAMAGE_APPEND, 2), SUMS_NONE));
    seeds.put("count-2^31-gzip", seed(OP_IMAGES, false, 10,
        raw(FuzzSupport.gzip(idx(MnistIdx.IMAGES_MAGIC, new int[] {1 << 31, 28, 28},
            new byte[784]))), null, SUMS_NONE));
    seeds.put("count-mismatch", seed(OP_PAIR, false, MnistIdx.ALL,
        images(MAGIC_RIGHT, pixels, false, DAMAGE_NONE, 2, 3, 3),
        labels(MAGIC_RIGHT, new byte[] {7}, false, DAMAGE_NONE, 1), SUMS_NONE));
    seeds.put("checksum-mismatch", seed(OP_PAIR, true, MnistIdx.ALL,
        images(MAGIC_RIGHT, pixels, false, DAMAGE_NONE, 2, 3, 3),
        labels(MAGIC_RIGHT, two, true, DAMAGE_NONE, -1), SUMS_WRONG));
    SeedWriter sums = new SeedWriter().intInRange(OP_IMAGES, OP_PAIR, OP_LABELS).bool(true);
    limit(sums, MnistIdx.ALL);
    labels(MAGIC_RIGHT, two, false, DAMAGE_NONE, 2).accept(sums);
    sums.intInRange(SUMS_NONE, SUMS_TEXT, SUMS_TEXT)
        .sizedText(MAX_SUMS_TEXT, "# sums\nnot-hex  " + LABELS + "\n");
    seeds.put("malformed-md5sums", sums.toBytes());
    return seeds;
  }

  /** Writes one file's part of a seed, as {@link IdxFile#write} reads it. */
  private interface FilePart extends Consumer<SeedWriter> {}

  /** A structured images file with small sizes (count, rows, cols). */
  private static FilePart images(int magic, byte[] payload, boolean gzip, int damage,
      int... sizes) {
    return w -> structured(w, magic, sizes, payload, gzip, damage);
  }

  /** A structured labels file; count -1 means "the same count as the images". */
  private static FilePart labels(int magic, byte[] payload, boolean gzip, int damage,
      int count) {
    return w -> structured(w, magic, new int[] {count}, payload, gzip, damage);
  }

  private static void structured(SeedWriter w, int magic, int[] sizes, byte[] payload,
      boolean gzip, int damage) {
    w.intInRange(FORM_STRUCTURED, FORM_DIRECTORY, FORM_STRUCTURED)
        .intInRange(MAGIC_RIGHT, MAGIC_DIMS, magic);
    long declared = 1;
    for (int size : sizes) {
      if (size < 0) {
        w.intInRange(SIZE_SMALL, SIZE_SAME_AS_IMAGES, SIZE_SAME_AS_IMAGES);
        declared *= 2; // the seeds' images count
      } else {
        w.intInRange(SIZE_SMALL, SIZE_SAME_AS_IMAGES, SIZE_SMALL).intInRange(0, 40, size);
        declared *= size;
      }
    }
    w.intInRange(-2, 2, (int) (payload.length - declared)).bytes(payload).bool(gzip)
        .intInRange(DAMAGE_NONE, DAMAGE_APPEND, damage);
    switch (damage) {
      case DAMAGE_CUT -> w.intInRange(1, 16, 5);
      case DAMAGE_APPEND -> w.intInRange(1, 16, 3).bytes(new byte[] {0, 0, 0});
      default -> { }
    }
  }

  /** A file of exactly these bytes. */
  private static FilePart raw(byte[] bytes) {
    return w -> w.intInRange(FORM_STRUCTURED, FORM_DIRECTORY, FORM_RAW).sizedBytes(MAX_RAW, bytes);
  }

  private static byte[] seed(int op, boolean verify, int limit, FilePart images,
      FilePart labels, int sums) {
    SeedWriter w = new SeedWriter().intInRange(OP_IMAGES, OP_PAIR, op).bool(verify);
    limit(w, limit);
    if (images != null) {
      images.accept(w);
    }
    if (labels != null) {
      labels.accept(w);
    }
    return w.intInRange(SUMS_NONE, SUMS_TEXT, sums).toBytes();
  }

  private static void limit(SeedWriter w, int limit) {
    w.bool(limit == MnistIdx.ALL);
    if (limit != MnistIdx.ALL) {
      w.intInRange(1, MAX_LIMIT, limit);
    }
  }

  static byte[] idx(int magic, int[] sizes, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * sizes.length + payload.length).putInt(magic);
    for (int s : sizes) {
      b.putInt(s);
    }
    return b.put(payload).array();
  }
}
