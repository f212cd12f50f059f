package io.spindle.cli;

import com.typesafe.config.Config;
import io.spindle.config.ConfigLoader;
import io.spindle.config.JobConfig;
import io.spindle.spark.SparkConfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** What the commands share: loading the job, checking the output folder, starting Spark. */
final class JobSupport {

  private JobSupport() {}

  static JobConfig loadJob(CliArgs args) {
    if (args.config == null) {
      throw new CliArgs.UsageException("--config FILE is required");
    }
    return JobConfig.from(ConfigLoader.load(args.config, args.overrides));
  }

  /** Overrides on top of a stored config (evaluate/predict without --config). */
  static JobConfig loadJob(Config stored, List<String> overrides) {
    return JobConfig.from(ConfigLoader.load(stored, overrides));
  }

  /**
   * Creates {@code dir} if needed and proves it writable before any work starts, so a long
   * training run cannot fail at the very end for want of a folder.
   */
  static Path prepareOutput(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".spindle-write-check", ".tmp");
      Files.delete(probe);
      return dir;
    } catch (IOException | SecurityException e) {
      String why = e instanceof java.nio.file.FileAlreadyExistsException ? "a file of that name exists"
          : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
          : e.getClass().getSimpleName();
      throw new IllegalArgumentException("output directory " + dir + " is not writable ("
          + why + "); choose another --output");
    }
  }

  /**
   * Hadoop settings for file systems used before Spark starts (checkpoints): the defaults plus
   * every {@code spark.hadoop.*} property spark-submit passed, as Spark itself would apply them.
   */
  static Configuration hadoopConfiguration() {
    Configuration conf = new Configuration();
    for (scala.Tuple2<String, String> kv : new SparkConf().getAll()) {
      if (kv._1().startsWith("spark.hadoop.")) {
        conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
    }
    return conf;
  }

  /**
   * A Spark context: spark-submit's master (system properties) when launched by it, else
   * spark.master of the config (embedded local mode).
   */
  static JavaSparkContext startSpark(JobConfig.Spark spark) {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      conf.setMaster(spark.master());
    }
    conf.setIfMissing("spark.app.name", spark.appName());
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    SparkConfs.withDefaults(conf);
    // Through a SparkSession, so the DataFrame formats find one (session()); closing the
    // context stops both.
    return JavaSparkContext.fromSparkContext(
        SparkSession.builder().config(conf).getOrCreate().sparkContext());
  }

  /** The SparkSession of a running context (for the DataFrame formats). */
  static SparkSession session(JavaSparkContext sc) {
    SparkSession session = SparkSession.getDefaultSession().getOrElse(() -> null);
    if (session == null || session.sparkContext() != sc.sc()) {
      throw new IllegalStateException("no SparkSession on this context; start Spark with "
          + "JobSupport.startSpark");
    }
    return session;
  }
}
