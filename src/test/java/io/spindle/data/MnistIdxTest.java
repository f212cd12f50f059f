package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The idx reader on the real MNIST files in data/mnist and on broken and hostile files. */
class MnistIdxTest {

  static final Path MNIST = Path.of("data/mnist");
  static final Path TRAIN_IMAGES = MNIST.resolve("train-images-idx3-ubyte.gz");
  static final Path TRAIN_LABELS = MNIST.resolve("train-labels-idx1-ubyte.gz");
  static final Path TEST_IMAGES = MNIST.resolve("t10k-images-idx3-ubyte.gz");
  static final Path TEST_LABELS = MNIST.resolve("t10k-labels-idx1-ubyte.gz");

  @TempDir
  static Path shared;
  static Path rawTestImages;
  static Path rawTestLabels;

  @TempDir
  Path dir;

  @BeforeAll
  static void gunzipTestSet() throws IOException {
    rawTestImages = shared.resolve("t10k-images-idx3-ubyte");
    rawTestLabels = shared.resolve("t10k-labels-idx1-ubyte");
    Files.write(rawTestImages, gunzip(Files.readAllBytes(TEST_IMAGES)));
    Files.write(rawTestLabels, gunzip(Files.readAllBytes(TEST_LABELS)));
  }

  // ---- the real files ----

  @Test
  void trainSetHasTheKnownCountsLabelsAndClassSizes() {
    MnistIdx.Dataset train = MnistIdx.load(TRAIN_IMAGES, TRAIN_LABELS);
    assertEquals(60000, train.count());
    assertEquals(60000, train.declaredCount());
    assertEquals(Shape.of(1, 28, 28), train.shape());
    ExampleBlock block = train.block();
    assertTrue(block.isCompact(), "pixels stay uint8");
    assertEquals(784, block.featureSize());
    assertEquals(1, block.targetSize());
    assertArrayEquals(new float[] {5, 0, 4, 1, 9}, firstLabels(block, 5));
    long[] perClass = new long[10];
    for (int i = 0; i < block.count(); i++) {
      perClass[(int) block.target(i)[0]]++;
    }
    assertArrayEquals(
        new long[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, perClass);
  }

  @Test
  void testSetHasTheKnownCountsAndLabels() {
    MnistIdx.Dataset test = MnistIdx.load(TEST_IMAGES, TEST_LABELS);
    assertEquals(10000, test.count());
    assertArrayEquals(new float[] {7, 2, 1, 0, 4}, firstLabels(test.block(), 5));
    MnistIdx.Labels labels = MnistIdx.readLabels(TEST_LABELS);
    assertEquals(10000, labels.count());
    assertEquals(10000, Arrays.stream(labels.classCounts(10)).sum());
  }

  @Test
  void pixelsAreScaledToTheUnitIntervalWhenGathered() {
    MnistIdx.Images images = MnistIdx.readImages(TEST_IMAGES, 1, true);
    ExampleBlock block = MnistIdx.load(TEST_IMAGES, TEST_LABELS, 1).block();
    float[] x = new float[784];
    block.gatherRange(0, 1, x, new float[1]);
    float max = 0;
    for (int i = 0; i < 784; i++) {
      assertEquals((images.pixels()[i] & 0xFF) * MnistIdx.PIXEL_SCALE, x[i]);
      max = Math.max(max, x[i]);
    }
    assertEquals(1f, max, "MNIST digits reach full intensity");
  }

  @Test
  void shippedChecksumsVerify() {
    for (Path p : new Path[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
      assertTrue(Md5Sums.verify(p), p + " is listed in MD5SUMS and matches");
    }
    assertEquals(4, Md5Sums.parse(MNIST.resolve("MD5SUMS")).size());
  }

  @Test
  void rawAndGzipReadTheSameBytes() {
    MnistIdx.Images gz = MnistIdx.readImages(TEST_IMAGES);
    MnistIdx.Images raw = MnistIdx.readImages(rawTestImages);
    assertEquals(gz.count(), raw.count());
    assertEquals(gz.rows(), raw.rows());
    assertArrayEquals(gz.pixels(), raw.pixels());
    assertArrayEquals(MnistIdx.readLabels(TEST_LABELS).labels(),
        MnistIdx.readLabels(rawTestLabels).labels());
  }

  @Test
  void formatIsDetectedByContentNotByName() throws IOException {
    Path rawNamedGz = Files.copy(rawTestLabels, dir.resolve("labels.gz"));
    Path gzNamedRaw = Files.copy(TEST_LABELS, dir.resolve("labels-idx1-ubyte"));
    byte[] expected = MnistIdx.readLabels(TEST_LABELS).labels();
    assertArrayEquals(expected, MnistIdx.readLabels(rawNamedGz).labels());
    assertArrayEquals(expected, MnistIdx.readLabels(gzNamedRaw).labels());
  }

  @Test
  void limitReadsOnlyTheFirstExamples() {
    MnistIdx.Images all = MnistIdx.readImages(TEST_IMAGES);
    MnistIdx.Labels allLabels = MnistIdx.readLabels(TEST_LABELS);
    for (Path images : new Path[] {TEST_IMAGES, rawTestImages}) {
      Path labels = images == TEST_IMAGES ? TEST_LABELS : rawTestLabels;
      MnistIdx.Dataset first = MnistIdx.load(images, labels, 100);
      assertEquals(100, first.count());
      assertEquals(10000, first.declaredCount());
      float[] x = new float[100 * 784];
      float[] y = new float[100];
      first.block().gatherRange(0, 100, x, y);
      for (int i = 0; i < 100 * 784; i++) {
        assertEquals((all.pixels()[i] & 0xFF) * MnistIdx.PIXEL_SCALE, x[i]);
      }
      for (int i = 0; i < 100; i++) {
        assertEquals(allLabels.label(i), (int) y[i]);
      }
    }
    assertEquals(10000, MnistIdx.load(TEST_IMAGES, TEST_LABELS, 20000).count(),
        "a limit above the count reads everything");
    assertThrows(IllegalArgumentException.class, () -> MnistIdx.load(TEST_IMAGES, TEST_LABELS, 0));
  }

  // ---- broken files ----

  @Test
  void badMagicNumbersAreNamed() throws IOException {
    Path garbage = write("garbage", idx(0x12345678, new int[] {1}, new byte[1]));
    assertMessage(() -> MnistIdx.readLabels(garbage), garbage + ": not an idx file", "0x12345678");

    Path floats = write("floats", idx(0x00000D03, new int[] {1, 1, 1}, new byte[4]));
    assertMessage(() -> MnistIdx.readImages(floats), floats + ": idx element type 0x0D");

    assertMessage(() -> MnistIdx.readImages(rawTestLabels), "is a labels file (magic 2049)",
        "images were expected");
    assertMessage(() -> MnistIdx.load(TEST_LABELS, TEST_IMAGES),
        TEST_LABELS + ": is a labels file");

    Path fourDims = write("4d", idx(0x00000804, new int[] {1, 1, 1, 1}, new byte[1]));
    assertMessage(() -> MnistIdx.readImages(fourDims), "declares 4 dimensions", "need 3");
  }

  @Test
  void truncatedPayloadIsRefused() throws IOException {
    byte[] full = idx(MnistIdx.IMAGES_MAGIC, new int[] {10, 28, 28}, new byte[10 * 784]);
    byte[] cut = Arrays.copyOf(full, full.length - 784 * 5);
    Path raw = write("cut-raw", cut);
    assertMessage(() -> MnistIdx.readImages(raw), raw + ": truncated",
        "10 images of 28x28 (7840 bytes) but only 3920 bytes follow it");
    Path gz = write("cut-inner.gz", gzip(cut));
    assertMessage(() -> MnistIdx.readImages(gz), gz + ": truncated",
        "ends after 3920 of their 7840 bytes");
    byte[] gzFull = gzip(full);
    Path gzCut = write("cut-outer.gz", Arrays.copyOf(gzFull, gzFull.length / 2));
    assertMessage(() -> MnistIdx.readImages(gzCut), gzCut + ": the gzip data ends early");
    Path header = write("header-only", Arrays.copyOf(full, 10));
    assertMessage(() -> MnistIdx.readImages(header), "idx header is cut off after 10 bytes");
    Path empty = write("empty", new byte[0]);
    assertMessage(() -> MnistIdx.readLabels(empty), empty + ": the file is empty");
  }

  @Test
  void trailingBytesAreRefused() throws IOException {
    byte[] labels = idx(MnistIdx.LABELS_MAGIC, new int[] {3}, new byte[] {1, 2, 3});
    byte[] longer = Arrays.copyOf(labels, labels.length + 7);
    Path raw = write("long-raw", longer);
    assertMessage(() -> MnistIdx.readLabels(raw), raw + ": 7 trailing bytes after the 3 labels");
    Path gz = write("long.gz", gzip(longer));
    assertMessage(() -> MnistIdx.readLabels(gz), gz + ": 7 trailing bytes after the 3 labels");
  }

  @Test
  void headerDeclaringTwoToThe31ImagesIsRefusedBeforeAllocating() throws IOException {
    byte[] hostile = idx(MnistIdx.IMAGES_MAGIC, new int[] {1 << 31, 28, 28}, new byte[784]);
    Path raw = write("hostile", hostile);
    Path gz = write("hostile.gz", gzip(hostile));
    for (Path p : new Path[] {raw, gz}) {
      for (int limit : new int[] {MnistIdx.ALL, 10}) {
        assertMessage(() -> MnistIdx.readImages(p, limit, true), p + ": ", "2147483648 images");
      }
    }
    Path labels = write("hostile-labels.gz",
        gzip(idx(MnistIdx.LABELS_MAGIC, new int[] {-1}, new byte[5])));
    assertMessage(() -> MnistIdx.readLabels(labels), "4294967295 labels");
  }

  @Test
  void plausibleButFalseGzipHeaderFailsOnTheDataActuallyThere() throws IOException {
    // Within deflate's ratio for this file size, so only reading can show the data is missing.
    byte[] small = gzip(idx(MnistIdx.LABELS_MAGIC, new int[] {20000}, new byte[10]));
    assertTrue(20008 < 1032L * small.length, "the declared size passes the ratio bound");
    Path p = write("short.gz", small);
    assertMessage(() -> MnistIdx.readLabels(p), p + ": truncated",
        "ends after 10 of their 20000 bytes");
  }

  @Test
  void overflowingImageSizesAreRefused() throws IOException {
    Path huge = write("huge", idx(MnistIdx.IMAGES_MAGIC, new int[] {-1, 1 << 14, 1 << 14},
        new byte[16]));
    assertMessage(() -> MnistIdx.readImages(huge), "4294967295 images of 16384x16384");
    Path wide = write("wide", idx(MnistIdx.IMAGES_MAGIC, new int[] {1, 1, 1 << 20}, new byte[1]));
    assertMessage(() -> MnistIdx.readImages(wide), "images of 1x1048576 pixels",
        "each side must be in [1, 16384]");
    Path negative = write("negative", idx(MnistIdx.IMAGES_MAGIC, new int[] {1, -28, 28}, new byte[1]));
    assertMessage(() -> MnistIdx.readImages(negative), "must be in [1, 16384]");
    Path zero = write("zero", idx(MnistIdx.IMAGES_MAGIC, new int[] {0, 28, 28}, new byte[0]));
    assertMessage(() -> MnistIdx.readImages(zero), "declares 0 images");
  }

  @Test
  void imageAndLabelCountsMustMatch() throws IOException {
    Path images = write("im", idx(MnistIdx.IMAGES_MAGIC, new int[] {10, 2, 2}, new byte[40]));
    Path labels = write("lb", idx(MnistIdx.LABELS_MAGIC, new int[] {9}, new byte[9]));
    assertMessage(() -> MnistIdx.load(images, labels),
        images + " holds 10 images but " + labels + " holds 9 labels");
  }

  @Test
  void missingFilesAreNamed() {
    Path missing = dir.resolve("nope.gz");
    assertMessage(() -> MnistIdx.load(TEST_IMAGES, missing), missing + ": no such file");
    assertMessage(() -> MnistIdx.readImages(dir), dir + ": is a directory");
  }

  @Test
  void labelRangeCheckNamesTheExample() throws IOException {
    Path labels = write("lb", idx(MnistIdx.LABELS_MAGIC, new int[] {3}, new byte[] {1, 12, 2}));
    assertMessage(() -> MnistIdx.readLabels(labels).requireBelow(10),
        labels + ": label 12 of example 1 is not in [0, 10)");
  }

  // ---- checksums ----

  @Test
  void checksumMismatchIsReported() throws IOException {
    Path copy = Files.copy(TEST_LABELS, dir.resolve("t10k-labels-idx1-ubyte.gz"));
    String good = Md5Sums.md5Hex(copy);
    Files.writeString(dir.resolve("MD5SUMS"), good + "  t10k-labels-idx1-ubyte.gz\n");
    assertTrue(Md5Sums.verify(copy));
    assertEquals(10000, MnistIdx.readLabels(copy).count());

    byte[] bytes = Files.readAllBytes(copy);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(copy, bytes);
    String bad = Md5Sums.md5Hex(copy);
    String expected = copy + ": checksum mismatch, expected " + good + ", got " + bad;
    assertMessage(() -> MnistIdx.readLabels(copy), expected, "re-copy the file");
    assertMessage(() -> MnistIdx.readLabels(copy, 5, true), expected);
    assertMessage(() -> Md5Sums.verify(copy), expected);
  }

  @Test
  void checksumMismatchExplainsAFormatError() throws IOException {
    byte[] bytes = Files.readAllBytes(rawTestLabels);
    Path cut = write("t10k-labels-idx1-ubyte", Arrays.copyOf(bytes, 500));
    Files.writeString(dir.resolve("MD5SUMS"),
        Md5Sums.md5Hex(rawTestLabels) + "  t10k-labels-idx1-ubyte\n");
    assertMessage(() -> MnistIdx.readLabels(cut), cut + ": checksum mismatch");
    // Without verification the same file is reported for what it is.
    assertMessage(() -> MnistIdx.readLabels(cut, MnistIdx.ALL, false), cut + ": truncated");
  }

  @Test
  void unlistedFilesAndDisabledVerificationSkipTheCheck() throws IOException {
    Path copy = Files.copy(TEST_LABELS, dir.resolve("labels.gz"));
    Files.writeString(dir.resolve("MD5SUMS"), "# other files only\n"
        + "00000000000000000000000000000000 *other.gz\n");
    assertFalse(Md5Sums.verify(copy));
    assertEquals(10000, MnistIdx.readLabels(copy).count());
    Files.writeString(dir.resolve("MD5SUMS"), "00000000000000000000000000000000  ./labels.gz\n");
    assertMessage(() -> MnistIdx.readLabels(copy), "checksum mismatch");
    assertEquals(10000, MnistIdx.readLabels(copy, MnistIdx.ALL, false).count());
  }

  @Test
  void malformedChecksumFileIsNamed() throws IOException {
    Path copy = Files.copy(TEST_LABELS, dir.resolve("labels.gz"));
    Files.writeString(dir.resolve("MD5SUMS"), "\nnot-a-checksum labels.gz\n");
    assertMessage(() -> MnistIdx.readLabels(copy), "MD5SUMS line 2: expected '<32 hex digits>");
  }

  @Test
  void controlCharactersOfAMalformedChecksumLineAreEscaped() throws IOException {
    // Found by MnistIdxFuzzTest: a lone CR in MD5SUMS was echoed into the message.
    Path copy = Files.copy(TEST_LABELS, dir.resolve("labels.gz"));
    Files.writeString(dir.resolve("MD5SUMS"), "byte@\r#### labels.gz\u001b[2J\n");
    assertMessage(() -> MnistIdx.readLabels(copy), "MD5SUMS line 1:",
        "got 'byte@\\u000d#### labels.gz\\u001b[2J'");
  }

  // ---- helpers ----

  static float[] firstLabels(ExampleBlock block, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = block.target(i)[0];
    }
    return out;
  }

  /** Asserts a DataFormatException whose one-line message contains every fragment. */
  static void assertMessage(Runnable action, String... fragments) {
    DataFormatException e = assertThrows(DataFormatException.class, action::run);
    String message = e.getMessage();
    assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
    for (String f : fragments) {
      assertTrue(message.contains(f), "expected '" + f + "' in: " + message);
    }
  }

  Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  static byte[] idx(int magic, int[] dims, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(payload).array();
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] bytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }
}
