package io.spindle.io;

import java.io.File;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A Hadoop file system for tests that simulates a failing disk: {@code faulty:///some/path} is
 * the local {@code /some/path}, but writes fail once a byte budget is spent (like a full disk:
 * the bytes up to the budget land, the rest throws "No space left on device"), and a directory
 * can be made to vanish when a given file is created (a lost mount or a careless cleanup in the
 * middle of a save). Plugged in through Hadoop's own mechanism ({@link #register}); nothing in
 * the production code knows about it.
 */
public class FaultyFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "faulty";

  /** Bytes that may still be written by all streams together; negative = unlimited. */
  public static volatile long budget = -1;
  /** When a file with this name is created, {@link #vanishing} is deleted first. */
  public static volatile String vanishOnCreateOf;
  public static volatile java.nio.file.Path vanishing;

  /** Adds the scheme to {@code conf} (uncached, so every test sees fresh settings). */
  public static Configuration register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", FaultyFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
    return conf;
  }

  /** The Spark properties that register it for a CLI run (read by JobSupport). */
  public static void registerForSpark() {
    System.setProperty("spark.hadoop.fs." + SCHEME + ".impl", FaultyFileSystem.class.getName());
    System.setProperty("spark.hadoop.fs." + SCHEME + ".impl.disable.cache", "true");
  }

  public static void unregisterForSpark() {
    System.clearProperty("spark.hadoop.fs." + SCHEME + ".impl");
    System.clearProperty("spark.hadoop.fs." + SCHEME + ".impl.disable.cache");
  }

  public static void reset() {
    budget = -1;
    vanishOnCreateOf = null;
    vanishing = null;
  }

  public static String uri(java.nio.file.Path local) {
    return SCHEME + "://" + local.toAbsolutePath();
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    setConf(conf);
  }

  @Override
  public File pathToFile(Path path) {
    // The parent resolves against the local working directory and checks the scheme.
    return new File(Path.getPathWithoutSchemeAndAuthority(path).toUri().getPath());
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite,
      int bufferSize, short replication, long blockSize, Progressable progress)
      throws IOException {
    vanishIfDue(f);
    return limited(super.create(f, permission, overwrite, bufferSize, replication, blockSize,
        progress));
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    vanishIfDue(f);
    return limited(super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private static void vanishIfDue(Path f) throws IOException {
    String name = vanishOnCreateOf;
    java.nio.file.Path dir = vanishing;
    if (name != null && dir != null && f.getName().equals(name)) {
      FileUtil.fullyDelete(dir.toFile());
    }
  }

  private FSDataOutputStream limited(FSDataOutputStream inner) throws IOException {
    return new FSDataOutputStream(new FilterOutputStream(inner) {
      @Override
      public void write(int b) throws IOException {
        spend(1);
        inner.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        long allowed = allowance(len);
        if (allowed > 0) {
          inner.write(b, off, (int) allowed);
        }
        if (allowed < len) {
          throw new IOException("No space left on device");
        }
      }

      @Override
      public void flush() throws IOException {
        inner.flush();
      }

      @Override
      public void close() throws IOException {
        inner.close();
      }
    }, null) {
      @Override
      public void hsync() throws IOException {
        inner.hsync();
      }
    };
  }

  private static synchronized void spend(long n) throws IOException {
    if (allowance(n) < n) {
      throw new IOException("No space left on device");
    }
  }

  /** Takes up to {@code n} bytes from the budget; returns how many may be written. */
  private static synchronized long allowance(long n) {
    long b = budget;
    if (b < 0) {
      return n;
    }
    long allowed = Math.min(b, n);
    budget = b - allowed;
    return allowed;
  }
}
