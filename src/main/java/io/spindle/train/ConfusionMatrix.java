package io.spindle.train;

import io.spindle.io.AtomicFiles;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Counts of (true class, predicted class) pairs: row = true class, column = predicted. Partitions
 * fill their own and the driver {@link #merge}s them, so the sums are exact for any partitioning.
 */
public final class ConfusionMatrix implements Serializable {

  private static final long serialVersionUID = 1L;

  private final int classes;
  private final String[] labels;
  /** classes x classes, row-major: counts[t * classes + p]. */
  private final long[] counts;

  /** A matrix whose classes are labelled "0" .. "classes-1". */
  public ConfusionMatrix(int classes) {
    this(defaultLabels(classes));
  }

  /** A matrix with one display label per class (CSV headers, chart axes). */
  public ConfusionMatrix(List<String> labels) {
    this(labels.toArray(new String[0]));
  }

  private ConfusionMatrix(String[] labels) {
    if (labels.length < 1) {
      throw new IllegalArgumentException("a confusion matrix needs at least one class");
    }
    if ((long) labels.length * labels.length > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(labels.length + " classes are too many for a confusion"
          + " matrix");
    }
    this.classes = labels.length;
    this.labels = labels.clone();
    this.counts = new long[classes * classes];
  }

  /** The same counts with other display labels (e.g. class names), one per class. */
  public ConfusionMatrix withLabels(List<String> names) {
    if (names.size() != classes) {
      throw new IllegalArgumentException(names.size() + " labels for " + classes + " classes");
    }
    ConfusionMatrix copy = new ConfusionMatrix(names);
    System.arraycopy(counts, 0, copy.counts, 0, counts.length);
    return copy;
  }

  private static String[] defaultLabels(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("a confusion matrix needs at least one class, got "
          + classes);
    }
    String[] out = new String[classes];
    for (int i = 0; i < classes; i++) {
      out[i] = Integer.toString(i);
    }
    return out;
  }

  public int classes() {
    return classes;
  }

  public String label(int c) {
    return labels[c];
  }

  /** Counts one example. */
  public void add(int trueClass, int predictedClass) {
    add(trueClass, predictedClass, 1);
  }

  public void add(int trueClass, int predictedClass, long times) {
    if (trueClass < 0 || trueClass >= classes || predictedClass < 0 || predictedClass >= classes) {
      throw new IllegalArgumentException("class pair (true " + trueClass + ", predicted "
          + predictedClass + ") is outside [0, " + classes + "); check the labels and the"
          + " number of output classes");
    }
    counts[trueClass * classes + predictedClass] += times;
  }

  /** Adds another matrix's counts into this one (distributed sums); returns this. */
  public ConfusionMatrix merge(ConfusionMatrix other) {
    if (other.classes != classes) {
      throw new IllegalArgumentException("cannot merge a " + other.classes + "-class confusion"
          + " matrix into a " + classes + "-class one");
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    return this;
  }

  public long count(int trueClass, int predictedClass) {
    return counts[trueClass * classes + predictedClass];
  }

  public long total() {
    long sum = 0;
    for (long c : counts) {
      sum += c;
    }
    return sum;
  }

  /** The diagonal: examples predicted correctly. */
  public long correct() {
    long sum = 0;
    for (int c = 0; c < classes; c++) {
      sum += count(c, c);
    }
    return sum;
  }

  /** Fraction correct; NaN when empty. */
  public double accuracy() {
    long total = total();
    return total == 0 ? Double.NaN : (double) correct() / total;
  }

  /** Examples whose true class is c (the row sum). */
  public long support(int c) {
    long sum = 0;
    for (int p = 0; p < classes; p++) {
      sum += count(c, p);
    }
    return sum;
  }

  /** Examples predicted as c (the column sum). */
  public long predicted(int c) {
    long sum = 0;
    for (int t = 0; t < classes; t++) {
      sum += count(t, c);
    }
    return sum;
  }

  /** Of the examples predicted as c, the fraction that are c; NaN when none was. */
  public double precision(int c) {
    long predicted = predicted(c);
    return predicted == 0 ? Double.NaN : (double) count(c, c) / predicted;
  }

  /** Of the examples of class c, the fraction predicted as c; NaN when there are none. */
  public double recall(int c) {
    long support = support(c);
    return support == 0 ? Double.NaN : (double) count(c, c) / support;
  }

  /** Harmonic mean of precision and recall; NaN when either is undefined, 0 when both are 0. */
  public double f1(int c) {
    double p = precision(c);
    double r = recall(c);
    if (Double.isNaN(p) || Double.isNaN(r)) {
      return Double.NaN;
    }
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /**
   * The matrix as CSV: a header row {@code true\predicted,<label>...}, then one row per true
   * class starting with its label.
   */
  public String toCsv() {
    StringBuilder sb = new StringBuilder();
    sb.append(csvField("true\\predicted"));
    for (String l : labels) {
      sb.append(',').append(csvField(l));
    }
    sb.append('\n');
    for (int t = 0; t < classes; t++) {
      sb.append(csvField(labels[t]));
      for (int p = 0; p < classes; p++) {
        sb.append(',').append(count(t, p));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * Per-class figures as CSV: {@code class,support,predicted,correct,precision,recall,f1}.
   * Undefined ratios are written as NaN; doubles at full precision.
   */
  public String perClassCsv() {
    StringBuilder sb = new StringBuilder("class,support,predicted,correct,precision,recall,f1\n");
    for (int c = 0; c < classes; c++) {
      sb.append(csvField(labels[c])).append(',').append(support(c)).append(',')
          .append(predicted(c)).append(',').append(count(c, c)).append(',')
          .append(number(precision(c))).append(',').append(number(recall(c))).append(',')
          .append(number(f1(c))).append('\n');
    }
    return sb.toString();
  }

  /** Writes {@link #toCsv()} atomically (temporary file, then rename). */
  public void writeCsv(Path file) {
    write(file, toCsv());
  }

  /** Writes {@link #perClassCsv()} atomically. */
  public void writePerClassCsv(Path file) {
    write(file, perClassCsv());
  }

  private static void write(Path file, String text) {
    try {
      AtomicFiles.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "NaN" : Double.toString(v);
  }

  /** Quotes a label only when CSV needs it. */
  private static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfusionMatrix m && Arrays.equals(labels, m.labels)
        && Arrays.equals(counts, m.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(labels) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ConfusionMatrix[%d classes, %d examples, accuracy %.4f]",
        classes, total(), accuracy());
  }
}
