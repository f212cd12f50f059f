package io.spindle.data;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * One idx file being read, raw or gzip (told apart by the gzip magic bytes, not the name), in a
 * single pass that also feeds the MD5 digest when an MD5SUMS lists the file.
 *
 * <p>Memory safety: nothing is allocated from a header value until it has been checked. A raw
 * file's declared payload must equal its length on disk exactly. A gzip file's declared payload
 * must fit the most deflate can expand its compressed length (1032:1), and its buffer grows only
 * as decompressed bytes actually arrive.
 *
 * <p>Known limit: bytes after the end of a gzip stream (not inside it) are skipped by
 * java.util.zip, as gunzip skips them with a warning; for files listed in MD5SUMS the checksum
 * still catches them.
 */
final class IdxStream implements Closeable {

  /** Largest idx dimension count we parse (the format allows up to 255). */
  private static final int MAX_DIMENSIONS = 8;
  /** Deflate's maximum compression ratio is about 1032:1; a header claiming more is lying. */
  private static final long DEFLATE_MAX_RATIO = 1032;
  /** A generous first guess of the decompressed size, from the compressed length. */
  private static final long GZIP_FIRST_GUESS_RATIO = 8;
  private static final int MIN_FIRST_GUESS = 1 << 20;
  /** Bytes decompressed past the declared payload before we stop counting the excess. */
  private static final long TRAILING_COUNT_CAP = 1L << 26;

  private final Path file;
  private final long fileLength;
  private final boolean gzip;
  private final String expectedMd5;
  private final MessageDigest digest;
  private final InputStream raw;
  private final InputStream data;
  private int headerBytes;
  private String actualMd5;

  private IdxStream(Path file, long fileLength, boolean gzip, String expectedMd5,
      MessageDigest digest, InputStream raw, InputStream data) {
    this.file = file;
    this.fileLength = fileLength;
    this.gzip = gzip;
    this.expectedMd5 = expectedMd5;
    this.digest = digest;
    this.raw = raw;
    this.data = data;
  }

  /** Opens {@code file}; with {@code verify}, an MD5SUMS beside it that names it is honoured. */
  static IdxStream open(Path file, boolean verify) {
    if (Files.isDirectory(file)) {
      throw new DataFormatException(file + ": is a directory, not an idx file; check the path");
    }
    String expected = verify ? Md5Sums.expectedFor(file).orElse(null) : null;
    MessageDigest digest = expected != null ? Md5Sums.newMd5() : null;
    InputStream raw = null;
    long length = 0;
    try {
      length = Files.size(file);
      raw = Files.newInputStream(file);
      if (digest != null) {
        raw = new DigestInputStream(raw, digest);
      }
      PushbackInputStream peek = new PushbackInputStream(raw, 2);
      byte[] magic = peek.readNBytes(2);
      peek.unread(magic);
      boolean gzip = magic.length == 2 && (magic[0] & 0xFF) == 0x1f && (magic[1] & 0xFF) == 0x8b;
      InputStream data = gzip ? new GZIPInputStream(peek, 1 << 16) : peek;
      return new IdxStream(file, length, gzip, expected, digest, raw, data);
    } catch (NoSuchFileException e) {
      closeQuietly(raw);
      throw new DataFormatException(file + ": no such file; check the path");
    } catch (ZipException | EOFException e) {
      // A gzip header that does not parse.
      IdxStream broken = new IdxStream(file, length, true, expected, digest, raw, raw);
      DataFormatException error = broken.checksumFirst(broken.corrupt(e));
      broken.close();
      throw error;
    } catch (IOException e) {
      closeQuietly(raw);
      throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  Path file() {
    return file;
  }

  boolean isGzip() {
    return gzip;
  }

  boolean hasChecksum() {
    return expectedMd5 != null;
  }

  /**
   * Reads and checks the header: magic {@code 0x0000_08_<dims>} (unsigned bytes) and
   * {@code dims} big-endian sizes, each positive. Returns the sizes as unsigned values.
   *
   * @param what "images" or "labels", for messages
   */
  long[] readHeader(int expectedMagic, String what) {
    try {
      byte[] m = data.readNBytes(4);
      if (m.length == 0) {
        throw fail("the file is empty; re-copy it");
      }
      if (m.length < 4) {
        throw fail("too short for an idx header (" + m.length + " bytes); re-copy the file");
      }
      int magic = (m[0] & 0xFF) << 24 | (m[1] & 0xFF) << 16 | (m[2] & 0xFF) << 8 | (m[3] & 0xFF);
      checkMagic(magic, expectedMagic, what);
      int dims = expectedMagic & 0xFF;
      byte[] h = data.readNBytes(4 * dims);
      if (h.length < 4 * dims) {
        throw fail("the idx header is cut off after " + (4 + h.length) + " bytes; re-copy the file");
      }
      headerBytes = 4 + 4 * dims;
      long[] sizes = new long[dims];
      for (int i = 0; i < dims; i++) {
        sizes[i] = ((h[4 * i] & 0xFFL) << 24) | ((h[4 * i + 1] & 0xFFL) << 16)
            | ((h[4 * i + 2] & 0xFFL) << 8) | (h[4 * i + 3] & 0xFFL);
      }
      return sizes;
    } catch (DataFormatException e) {
      throw checksumFirst(e);
    } catch (ZipException | EOFException e) {
      throw checksumFirst(corrupt(e));
    } catch (IOException e) {
      throw ioFailure(e);
    }
  }

  private void checkMagic(int magic, int expected, String what) {
    if (magic == expected) {
      return;
    }
    String found = String.format("magic number 0x%08X", magic);
    String want = String.format("%d (0x%08X) for %s", expected, expected, what);
    if (magic == MnistIdx.IMAGES_MAGIC || magic == MnistIdx.LABELS_MAGIC) {
      String is = magic == MnistIdx.IMAGES_MAGIC ? "an images file (magic 2051)"
          : "a labels file (magic 2049)";
      throw fail("is " + is + ", but " + what + " were expected; check which path is which");
    }
    if ((magic >>> 16) != 0 || MAX_DIMENSIONS < (magic & 0xFF)) {
      throw fail("not an idx file (" + found + ", expected " + want
          + (gzip ? " after gunzip" : "") + "); check the path");
    }
    if (((magic >>> 8) & 0xFF) != 0x08) {
      throw fail(String.format("idx element type 0x%02X is not supported (%s); only unsigned"
          + " bytes (0x08) are, as in MNIST", (magic >>> 8) & 0xFF, found));
    }
    throw fail("idx header declares " + (magic & 0xFF) + " dimensions (" + found + ") but "
        + what + " need " + (expected & 0xFF) + " (magic " + want + "); check the path");
  }

  /**
   * Checks the whole declared payload ({@code bytes}) against what the file can hold, before
   * anything is allocated: raw files exactly, gzip files by deflate's maximum ratio.
   *
   * @param declared how the header reads, for messages, e.g. "60000 images of 28x28"
   */
  void checkDeclaredPayload(long bytes, String declared) {
    long dataOnDisk = fileLength - headerBytes;
    if (!gzip && bytes > dataOnDisk) {
      throw checksumFirst(fail("truncated: the header declares " + declared + " (" + bytes
          + " bytes) but only " + dataOnDisk + " bytes follow it; re-copy the file"));
    }
    if (!gzip && bytes < dataOnDisk) {
      throw checksumFirst(fail((dataOnDisk - bytes) + " trailing bytes after the " + declared
          + " the header declares; the file is corrupt or not idx, re-copy it"));
    }
    long maxInflated = DEFLATE_MAX_RATIO * fileLength;
    if (gzip && bytes + headerBytes > maxInflated) {
      throw checksumFirst(fail("the header declares " + declared + " (" + bytes
          + " bytes), more than a " + fileLength + "-byte gzip file can hold; the header is"
          + " corrupt or the file truncated, re-copy it"));
    }
  }

  /**
   * Reads the next {@code n} payload bytes. Raw files were length-checked already; for gzip the
   * buffer starts at a guess from the compressed size and grows only as data really arrives.
   *
   * @param what describes the part read, for the truncation message
   */
  byte[] readPayload(int n, String what) {
    try {
      long guess = gzip ? Math.max(MIN_FIRST_GUESS, GZIP_FIRST_GUESS_RATIO * fileLength) : n;
      byte[] buf = new byte[(int) Math.min(n, guess)];
      int filled = 0;
      while (filled < n) {
        if (filled == buf.length) {
          buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
        }
        int r = data.read(buf, filled, buf.length - filled);
        if (r < 0) {
          throw fail("truncated: the header declares " + what + " but the data ends after "
              + filled + " of their " + n + " bytes; re-copy the file");
        }
        filled += r;
      }
      return buf;
    } catch (DataFormatException e) {
      throw checksumFirst(e);
    } catch (ZipException | EOFException e) {
      throw checksumFirst(corrupt(e));
    } catch (IOException e) {
      throw ioFailure(e);
    }
  }

  /**
   * Completes the read. After the whole payload ({@code readAll}) the data must end exactly (for
   * gzip this also checks its CRC). With a checksum listed, the rest of the file is digested
   * (without decompressing it) and compared.
   *
   * @param declared how the header reads, for messages
   */
  void finish(boolean readAll, String declared) {
    try {
      if (readAll && gzip) {
        long extra = 0;
        byte[] scratch = new byte[1 << 16];
        for (int r; extra < TRAILING_COUNT_CAP && (r = data.read(scratch)) >= 0; ) {
          extra += r;
        }
        if (extra > 0) {
          throw fail((extra >= TRAILING_COUNT_CAP ? "more than " + extra : String.valueOf(extra))
              + " trailing bytes after the " + declared
              + " the header declares; the file is corrupt or not idx, re-copy it");
        }
      }
    } catch (DataFormatException e) {
      throw checksumFirst(e);
    } catch (ZipException | EOFException e) {
      throw checksumFirst(corrupt(e));
    } catch (IOException e) {
      throw ioFailure(e);
    }
    if (expectedMd5 != null) {
      String actual;
      try {
        actual = actualMd5();
      } catch (IOException e) {
        throw ioFailure(e);
      }
      if (!actual.equals(expectedMd5)) {
        throw Md5Sums.mismatch(file, expectedMd5, actual);
      }
    }
  }

  /**
   * When this file has a listed checksum that does not match, the mismatch explains any format
   * problem best ("re-copy the file"), so it replaces {@code problem}. Returns the error to throw.
   */
  DataFormatException checksumFirst(DataFormatException problem) {
    if (expectedMd5 == null) {
      return problem;
    }
    try {
      String actual = actualMd5();
      if (!actual.equals(expectedMd5)) {
        DataFormatException mismatch = Md5Sums.mismatch(file, expectedMd5, actual);
        mismatch.addSuppressed(problem);
        return mismatch;
      }
    } catch (IOException e) {
      problem.addSuppressed(e);
    }
    return problem;
  }

  /** Digests what is left of the raw file (once) and returns the file's MD5. */
  private String actualMd5() throws IOException {
    if (actualMd5 == null) {
      byte[] scratch = new byte[1 << 16];
      while (raw.read(scratch) >= 0) {
        // DigestInputStream updates the digest as it is read.
      }
      actualMd5 = HexFormat.of().formatHex(digest.digest());
    }
    return actualMd5;
  }

  DataFormatException fail(String problem) {
    return new DataFormatException(file + ": " + problem);
  }

  private DataFormatException corrupt(IOException e) {
    String what = e instanceof EOFException ? "the gzip data ends early (truncated)"
        : "corrupt gzip data (" + e.getMessage() + ")";
    return new DataFormatException(file + ": " + what + "; re-copy the file", e);
  }

  private UncheckedIOException ioFailure(IOException e) {
    return new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
  }

  @Override
  public void close() {
    closeQuietly(data);
    closeQuietly(raw);
  }

  private static void closeQuietly(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // Read-only stream: nothing is lost when closing fails.
      }
    }
  }
}
