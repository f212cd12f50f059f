package io.spindle.data;

import io.spindle.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

/**
 * Folders of images, one folder per class ({@code root/cat/*.png}, {@code root/dog/*.jpg}, in
 * any depth below the class folder), read with Spark's {@code image} data source and turned
 * into Spindle examples: columns {@code origin} (the file), {@code label} (the class index,
 * with the class names in its ML metadata, so IndexToString can map predictions back) and
 * {@code features} (a Vector of CHW floats in [0, 1], resized to the shape; see
 * {@link ImagePixels} for channel order and resizing).
 *
 * <p>Classes are the sorted names of the root's sub-folders (hidden ones, starting with "." or
 * "_", are skipped), so class i is the i-th folder name, as torchvision's ImageFolder. A test
 * set must use the training set's classes: pass them to {@link #load(SparkSession, String,
 * Shape, List)}. Files that are not images are skipped (Spark's {@code dropInvalid}); an image
 * outside any known class folder gets a null label, which training reports with its file name.
 */
public final class ImageFolders {

  public static final String ORIGIN = "origin";
  public static final String LABEL = "label";
  public static final String FEATURES = "features";

  private ImageFolders() {}

  /** The images under {@code root} with the classes found there. */
  public static Dataset<Row> load(SparkSession spark, String root, Shape shape) {
    return load(spark, root, shape, classes(spark, root));
  }

  /** The images under {@code root}, labelled by the given class folder names. */
  public static Dataset<Row> load(SparkSession spark, String root, Shape shape,
      List<String> classes) {
    ImagePixels.checkShape(shape);
    if (classes.isEmpty()) {
      throw new IllegalArgumentException(root + " has no class folders; put the images in one "
          + "folder per class (e.g. " + root + "/cat/1.png, " + root + "/dog/2.png)");
    }
    String rootPath = qualified(spark, root).toUri().getPath();
    String prefix = rootPath.endsWith("/") ? rootPath : rootPath + "/";
    Dataset<Row> images = spark.read().format("image")
        .option("dropInvalid", true)
        .option("recursiveFileLookup", true)
        .load(root);
    List<String> names = List.copyOf(classes);
    JavaRDD<Row> rows = images.select("image.origin", "image.height", "image.width",
            "image.nChannels", "image.data")
        .javaRDD()
        .map(r -> {
          String origin = r.getString(0);
          float[] x = new float[shape.size()];
          ImagePixels.toChw((byte[]) r.get(4), r.getInt(1), r.getInt(2), r.getInt(3), shape, x, 0);
          double[] v = new double[x.length];
          for (int i = 0; i < x.length; i++) {
            v[i] = x[i];
          }
          int label = names.indexOf(classOf(origin, prefix));
          return RowFactory.create(origin, label < 0 ? null : (double) label, new DenseVector(v));
        });
    Metadata labelMeta = NominalAttribute.defaultAttr().withName(LABEL)
        .withValues(names.toArray(String[]::new)).toMetadata();
    StructType schema = new StructType()
        .add(ORIGIN, DataTypes.StringType, false)
        .add(LABEL, DataTypes.DoubleType, true, labelMeta)
        .add(FEATURES, SQLDataTypes.VectorType(), false);
    return spark.createDataFrame(rows, schema);
  }

  /** The class folder of an image: the first path segment below the root, or null. */
  static String classOf(String origin, String rootPrefix) {
    String path;
    try {
      path = new URI(origin).getPath();
    } catch (java.net.URISyntaxException e) {
      path = origin;
    }
    if (path == null || !path.startsWith(rootPrefix)) {
      return null;
    }
    String rest = path.substring(rootPrefix.length());
    int slash = rest.indexOf('/');
    return slash <= 0 ? null : rest.substring(0, slash);
  }

  /** Sorted names of the visible sub-folders of {@code root}. */
  public static List<String> classes(SparkSession spark, String root) {
    Path p = qualified(spark, root);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new IllegalArgumentException("no such image folder " + root);
      }
      List<String> names = new ArrayList<>();
      for (FileStatus s : fs.listStatus(p)) {
        String name = s.getPath().getName();
        if (s.isDirectory() && !name.startsWith(".") && !name.startsWith("_")) {
          names.add(name);
        }
      }
      String[] sorted = names.toArray(String[]::new);
      Arrays.sort(sorted);
      return List.of(sorted);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the class folders of " + root, e);
    }
  }

  private static Path qualified(SparkSession spark, String root) {
    Path p = new Path(root);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve " + root, e);
    }
  }
}
