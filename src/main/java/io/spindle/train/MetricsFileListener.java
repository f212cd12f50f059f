package io.spindle.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Appends one row per epoch (and, with {@code everySteps > 0}, one every that many iterations)
 * to a CSV file and/or a JSON-lines file while training runs, flushing each row so the files
 * can be followed live. Columns: epoch, iteration, train_loss, train_accuracy, test_loss,
 * test_accuracy, images_per_second, elapsed_seconds. Values not measured in a row (test values
 * without validation) are empty in CSV and null in JSON. A header is written to a new or
 * empty CSV file only, so runs can append to the same file.
 */
public final class MetricsFileListener implements TrainingListener, AutoCloseable {

  static final String HEADER = "epoch,iteration,train_loss,train_accuracy,test_loss,"
      + "test_accuracy,images_per_second,elapsed_seconds";

  private final Path csvPath;
  private final Path jsonPath;
  private final int everySteps;
  private final Metrics window = new Metrics();
  private BufferedWriter csv;
  private BufferedWriter json;
  private java.util.List<EpochSummary> earlier;

  /**
   * @param csv CSV file, or null for none
   * @param jsonLines JSON-lines file, or null for none
   * @param everySteps also write a row every this many iterations (0 = per epoch only)
   */
  public MetricsFileListener(Path csv, Path jsonLines, int everySteps) {
    if (csv == null && jsonLines == null) {
      throw new IllegalArgumentException("give a CSV path, a JSON-lines path, or both");
    }
    if (everySteps < 0) {
      throw new IllegalArgumentException("metrics interval must be >= 0, got " + everySteps);
    }
    this.csvPath = csv;
    this.jsonPath = jsonLines;
    this.everySteps = everySteps;
  }

  public MetricsFileListener(Path csv, Path jsonLines) {
    this(csv, jsonLines, 0);
  }

  /**
   * For a resumed run: at the start, replace the files' rows with one per epoch completed
   * before the checkpoint (the rows of epochs the interrupted run wrote after its checkpoint
   * are dropped, since they are trained again). Returns this.
   */
  public MetricsFileListener startingWith(java.util.List<EpochSummary> earlierEpochs) {
    this.earlier = java.util.List.copyOf(earlierEpochs);
    return this;
  }

  @Override
  public void onTrainingStart(TrainingContext ctx) {
    try {
      if (earlier != null) {
        if (csvPath != null) {
          Files.deleteIfExists(csvPath);
        }
        if (jsonPath != null) {
          Files.deleteIfExists(jsonPath);
        }
      }
      if (csvPath != null) {
        boolean fresh = !Files.exists(csvPath) || Files.size(csvPath) == 0;
        csv = open(csvPath);
        if (fresh) {
          csv.write(HEADER);
          csv.newLine();
          csv.flush();
        }
      }
      if (jsonPath != null) {
        json = open(jsonPath);
      }
      if (earlier != null) {
        for (EpochSummary e : earlier) {
          onEpochEnd(ctx, e);
        }
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot write the metrics file: " + e.getMessage()
          + "; check that the directory exists and is writable", e);
    }
  }

  private static BufferedWriter open(Path p) throws IOException {
    Path dir = p.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    return Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  @Override
  public void onIteration(TrainingContext ctx, Metrics batch) {
    if (everySteps == 0) {
      return;
    }
    window.merge(batch);
    long done = ctx.iteration() + 1;
    if (done % everySteps == 0) {
      write(ctx.epoch() + 1, done, window.meanLoss(), window.accuracy(), Double.NaN, Double.NaN,
          ctx.imagesPerSecond(), ctx.elapsedSeconds());
      window.lossSum = 0;
      window.correct = 0;
      window.count = 0;
    }
  }

  @Override
  public void onEpochEnd(TrainingContext ctx, EpochSummary s) {
    write(s.epoch(), s.iterations(), s.trainLoss(), s.trainAccuracy(), s.testLoss(),
        s.testAccuracy(), s.imagesPerSecond(), s.elapsedSeconds());
  }

  @Override
  public void onTrainingEnd(TrainingContext ctx, TrainingResult result) {
    close();
  }

  @Override
  public void onTrainingFailed(TrainingContext ctx, Throwable error) {
    close();
  }

  private void write(int epoch, long iteration, double trainLoss, double trainAcc,
      double testLoss, double testAcc, double ips, double elapsed) {
    double[] v = {trainLoss, trainAcc, testLoss, testAcc, ips, elapsed};
    try {
      if (csv != null) {
        StringBuilder row = new StringBuilder().append(epoch).append(',').append(iteration);
        for (double d : v) {
          row.append(',').append(Double.isFinite(d) ? num(d) : "");
        }
        csv.write(row.toString());
        csv.newLine();
        csv.flush();
      }
      if (json != null) {
        String[] names = HEADER.split(",");
        StringBuilder row = new StringBuilder("{\"epoch\":").append(epoch)
            .append(",\"iteration\":").append(iteration);
        for (int i = 0; i < v.length; i++) {
          row.append(",\"").append(names[i + 2]).append("\":")
              .append(Double.isFinite(v[i]) ? num(v[i]) : "null");
        }
        json.write(row.append('}').toString());
        json.newLine();
        json.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the metrics file: " + e.getMessage(), e);
    }
  }

  private static String num(double d) {
    return String.format(Locale.ROOT, "%.6g", d);
  }

  @Override
  public void close() {
    try {
      if (csv != null) {
        csv.close();
      }
      if (json != null) {
        json.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      csv = null;
      json = null;
    }
  }
}
