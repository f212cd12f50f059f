package io.spindle.io;

import io.spindle.nn.NetworkSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Spindle model directories ({@link ModelStore}) on any Hadoop file system, for Spark ML's
 * save/load, whose paths are Hadoop paths ({@code file:}, {@code hdfs:}, {@code s3a:} ...).
 *
 * <p>On the local file system the directory is written in place by {@link ModelStore}
 * (atomically: a temporary sibling renamed into place). Elsewhere it is written to a local
 * temporary directory with the same code and then copied file by file, so the format and every
 * check on reading (sizes, SHA-256 checksum) are the same; the copy itself is as atomic as the
 * target file system's copy, which for object stores it is not (a crash mid-copy can leave a
 * partial directory, which loading then rejects by its checksum or missing files).
 */
public final class HadoopModelStore {

  private HadoopModelStore() {}

  public static void save(Configuration conf, String dir, NetworkSpec spec, float[] params,
      Map<String, Object> metadata) throws IOException {
    Path target = new Path(dir);
    FileSystem fs = target.getFileSystem(conf);
    java.nio.file.Path local = localPath(fs, target);
    if (local != null) {
      SpindleModel.save(local, spec, params, metadata);
      return;
    }
    java.nio.file.Path staging = Files.createTempDirectory("spindle-model-");
    try {
      java.nio.file.Path model = staging.resolve("model");
      SpindleModel.save(model, spec, params, metadata);
      fs.mkdirs(target);
      for (String name : new String[] {ModelStore.PARAMETERS, ModelStore.DESCRIPTOR}) {
        // Parameters first, descriptor last: a reader finds no model.json until both exist.
        fs.copyFromLocalFile(false, true, new Path(model.resolve(name).toUri()),
            new Path(target, name));
      }
    } finally {
      AtomicFiles.deleteRecursively(staging);
    }
  }

  public static SpindleModel load(Configuration conf, String dir) throws IOException {
    Path source = new Path(dir);
    FileSystem fs = source.getFileSystem(conf);
    java.nio.file.Path local = localPath(fs, source);
    if (local != null) {
      return SpindleModel.load(local);
    }
    if (!fs.exists(new Path(source, ModelStore.DESCRIPTOR))) {
      throw new ModelFormatException(dir + " holds no " + ModelStore.DESCRIPTOR
          + "; it is not a Spindle model or it is incomplete");
    }
    java.nio.file.Path staging = Files.createTempDirectory("spindle-model-");
    try {
      java.nio.file.Path model = Files.createDirectory(staging.resolve("model"));
      for (String name : new String[] {ModelStore.DESCRIPTOR, ModelStore.PARAMETERS}) {
        Path file = new Path(source, name);
        if (fs.exists(file)) {
          fs.copyToLocalFile(false, file, new Path(model.resolve(name).toUri()), true);
        }
      }
      return SpindleModel.load(model);
    } finally {
      AtomicFiles.deleteRecursively(staging);
    }
  }

  /** The java.nio path of {@code p} when its file system is the local one, else null. */
  private static java.nio.file.Path localPath(FileSystem fs, Path p) {
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      try {
        return java.nio.file.Path.of(fs.makeQualified(p).toUri());
      } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
        throw new UncheckedIOException(new IOException("cannot map " + p + " to a local path", e));
      }
    }
    return null;
  }
}
