package io.spindle.data;

import io.spindle.tensor.Shape;
import java.nio.file.Path;

/**
 * Reads MNIST-style idx files, gzip-compressed or raw (told apart by the gzip magic bytes), into
 * a compact {@link ExampleBlock}: pixels stay uint8 (scaled by 1/255 when batches are gathered),
 * labels become one float per example.
 *
 * <p>Images: big-endian magic 2051, count, rows, cols, then count x rows x cols unsigned bytes.
 * Labels: magic 2049, count, then count unsigned bytes. Every header value is checked before
 * anything is allocated from it; the payload must be exactly as long as the header says; paired
 * image and label files must declare the same count. When an {@code MD5SUMS} file beside a data
 * file names it, the file's MD5 is computed in the same pass and compared.
 *
 * <p>Errors are {@link DataFormatException}s with a one-line message naming the file, the problem
 * and the fix. A listed checksum that does not match takes precedence over any format error,
 * since re-copying the file is then the fix.
 */
public final class MnistIdx {

  public static final int IMAGES_MAGIC = 0x00000803;
  public static final int LABELS_MAGIC = 0x00000801;
  /** As a limit: read every example. */
  public static final int ALL = Integer.MAX_VALUE;
  public static final float PIXEL_SCALE = 1f / 255f;
  /** Largest rows or cols accepted: far above any image data set, far below overflow. */
  public static final int MAX_SIDE = 1 << 14;
  /** Largest single Java array the reader will ask for. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  private MnistIdx() {}

  /** The images and their shape (1 x rows x cols), as read. */
  public record Dataset(ExampleBlock block, Shape shape, long declaredCount) {

    /** Examples read (at most the limit). */
    public int count() {
      return block.count();
    }
  }

  /** Pixels of {@code count} images, row-major, example after example. */
  public record Images(Path file, int count, long declaredCount, int rows, int cols,
      byte[] pixels) {

    public Shape shape() {
      return Shape.of(1, rows, cols);
    }
  }

  /** One unsigned byte label per example. */
  public record Labels(Path file, int count, long declaredCount, byte[] labels) {

    public int label(int example) {
      return labels[example] & 0xFF;
    }

    /** Labels as the floats an {@link ExampleBlock} holds (one target per example). */
    public float[] asFloats() {
      float[] out = new float[count];
      for (int i = 0; i < count; i++) {
        out[i] = labels[i] & 0xFF;
      }
      return out;
    }

    /** Examples per class, for labels in [0, classes). */
    public long[] classCounts(int classes) {
      requireBelow(classes);
      long[] counts = new long[classes];
      for (int i = 0; i < count; i++) {
        counts[labels[i] & 0xFF]++;
      }
      return counts;
    }

    /** Fails naming the first example whose label is not in [0, classes). */
    public void requireBelow(int classes) {
      for (int i = 0; i < count; i++) {
        int label = labels[i] & 0xFF;
        if (label >= classes) {
          throw new DataFormatException(file + ": label " + label + " of example " + i
              + " is not in [0, " + classes + "); fix the labels or the number of classes");
        }
      }
    }
  }

  /** Every example of a pair of files, checksums verified where listed. */
  public static Dataset load(Path images, Path labels) {
    return load(images, labels, ALL, true);
  }

  /** The first {@code limit} examples of a pair of files, checksums verified where listed. */
  public static Dataset load(Path images, Path labels, int limit) {
    return load(images, labels, limit, true);
  }

  /**
   * The first {@code limit} examples (or all, {@link #ALL}) of an images file and a labels file.
   * Both headers are read and compared before either payload; with a limit only the needed
   * bytes are decompressed (the checksum, when listed, still digests the whole file).
   */
  public static Dataset load(Path images, Path labels, int limit, boolean verifyChecksums) {
    checkLimit(limit);
    try (IdxStream img = IdxStream.open(images, verifyChecksums);
        IdxStream lab = IdxStream.open(labels, verifyChecksums)) {
      ImageHeader ih = imageHeader(img);
      long labelCount = labelHeader(lab);
      if (ih.count != labelCount) {
        DataFormatException e = new DataFormatException(images + " holds " + ih.count
            + " images but " + labels + " holds " + labelCount
            + " labels; use image and label files of the same data set");
        throw lab.checksumFirst(img.checksumFirst(e));
      }
      int n = examplesToRead(img, ih.count, ih.imageBytes(), limit, 5);
      byte[] pixels = img.readPayload(n * ih.imageBytes(), n + " images");
      byte[] labelBytes = lab.readPayload(n, n + " labels");
      img.finish(n == ih.count, ih.describe());
      lab.finish(n == labelCount, labelCount + " labels");
      Labels l = new Labels(labels, n, labelCount, labelBytes);
      ExampleBlock block = ExampleBlock.ofBytes(pixels, PIXEL_SCALE, l.asFloats(), n,
          ih.imageBytes(), 1);
      return new Dataset(block, Shape.of(1, ih.rows, ih.cols), ih.count);
    }
  }

  /** The first {@code limit} images of an images file. */
  public static Images readImages(Path file, int limit, boolean verifyChecksums) {
    checkLimit(limit);
    try (IdxStream in = IdxStream.open(file, verifyChecksums)) {
      ImageHeader h = imageHeader(in);
      int n = examplesToRead(in, h.count, h.imageBytes(), limit, 0);
      byte[] pixels = in.readPayload(n * h.imageBytes(), n + " images");
      in.finish(n == h.count, h.describe());
      return new Images(file, n, h.count, h.rows, h.cols, pixels);
    }
  }

  public static Images readImages(Path file) {
    return readImages(file, ALL, true);
  }

  /** The first {@code limit} labels of a labels file. */
  public static Labels readLabels(Path file, int limit, boolean verifyChecksums) {
    checkLimit(limit);
    try (IdxStream in = IdxStream.open(file, verifyChecksums)) {
      long count = labelHeader(in);
      int n = examplesToRead(in, count, 1, limit, 0);
      byte[] labels = in.readPayload(n, n + " labels");
      in.finish(n == count, count + " labels");
      return new Labels(file, n, count, labels);
    }
  }

  public static Labels readLabels(Path file) {
    return readLabels(file, ALL, true);
  }

  private record ImageHeader(long count, int rows, int cols) {
    int imageBytes() {
      return rows * cols;
    }

    String describe() {
      return count + " images of " + rows + "x" + cols;
    }
  }

  private static ImageHeader imageHeader(IdxStream in) {
    long[] d = in.readHeader(IMAGES_MAGIC, "images");
    for (int i = 1; i <= 2; i++) {
      if (d[i] == 0 || d[i] > MAX_SIDE) {
        throw in.checksumFirst(in.fail("the header declares images of " + d[1] + "x" + d[2]
            + " pixels; each side must be in [1, " + MAX_SIDE + "]; the header is corrupt,"
            + " re-copy the file"));
      }
    }
    ImageHeader h = new ImageHeader(d[0], (int) d[1], (int) d[2]);
    requireSome(in, h.count, "images");
    in.checkDeclaredPayload(h.count * h.imageBytes(), h.describe());
    return h;
  }

  private static long labelHeader(IdxStream in) {
    long count = in.readHeader(LABELS_MAGIC, "labels")[0];
    requireSome(in, count, "labels");
    in.checkDeclaredPayload(count, count + " labels");
    return count;
  }

  private static void requireSome(IdxStream in, long count, String what) {
    if (count == 0) {
      throw in.checksumFirst(in.fail("the header declares 0 " + what
          + "; there is nothing to read, check the path"));
    }
  }

  /**
   * How many examples to read, refusing amounts no array or heap can hold before allocating.
   *
   * @param extraPerExample heap bytes needed per example besides its payload bytes (a pair
   *     also holds the label byte and its float copy)
   */
  private static int examplesToRead(IdxStream in, long count, int exampleBytes, int limit,
      int extraPerExample) {
    long n = Math.min(count, limit);
    long bytes = n * exampleBytes;
    if (bytes > MAX_ARRAY) {
      throw in.checksumFirst(in.fail(n + " examples of " + exampleBytes + " bytes (" + bytes + " bytes) do not"
          + " fit in one block; set a limit of at most " + (MAX_ARRAY / exampleBytes)
          + " examples"));
    }
    long heap = Runtime.getRuntime().maxMemory();
    long needed = bytes + (long) extraPerExample * n;
    if (heap != Long.MAX_VALUE && needed > heap - heap / 8) {
      throw in.checksumFirst(in.fail("reading " + n + " examples needs about " + (needed >> 20)
          + " MiB but the JVM heap is " + (heap >> 20) + " MiB; raise the heap (-Xmx,"
          + " spark.driver.memory) or set a limit"));
    }
    return (int) n;
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the example limit must be positive, got " + limit
          + "; leave it unset to read every example");
    }
  }
}
