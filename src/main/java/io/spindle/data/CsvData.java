package io.spindle.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads numeric CSV files ({@code data.format = csv}, plain or gzip, told apart by content)
 * into a float {@link ExampleBlock}: one example per line, the label (class index or regression
 * target) in the first column, then the features in the order of the input shape (NCHW for
 * images). A first line that does not start with a number is a header and skipped; blank lines
 * are skipped.
 *
 * <p>Every line must have the first data line's column count, and every value must be a finite
 * number: a NaN or infinite feature is refused here, naming the line and column, because one
 * such value turns every weight into NaN at the first update. Errors are
 * {@link DataFormatException}s naming the file, the line and the column.
 */
public final class CsvData {

  /** Largest float array the reader builds (features of all examples together). */
  static final long MAX_VALUES = Integer.MAX_VALUE - 16;

  private CsvData() {}

  /** The first {@code limit} examples of {@code file} (or all with {@link MnistIdx#ALL}). */
  public static ExampleBlock read(Path file, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the example limit must be positive, got " + limit);
    }
    try (BufferedReader in = open(file)) {
      float[] features = new float[0];
      float[] labels = new float[0];
      int columns = -1;
      int count = 0;
      long lineNo = 0;
      String line;
      while (count < limit && (line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        if (columns < 0) {
          if (lineNo == 1 && !startsWithNumber(cells[0])) {
            continue; // header
          }
          columns = cells.length;
          if (columns < 2) {
            throw new DataFormatException(file + " line " + lineNo + " has " + columns
                + " column; a CSV example needs the label and at least one feature"
                + " (label,feature1,feature2,...)");
          }
        } else if (cells.length != columns) {
          throw new DataFormatException(file + " line " + lineNo + " has " + cells.length
              + " columns but the first example has " + columns + "; every line needs the label"
              + " and " + (columns - 1) + " features");
        }
        int featureCount = columns - 1;
        if ((long) (count + 1) * featureCount > MAX_VALUES) {
          throw new DataFormatException(file + ": more than " + count + " examples of "
              + featureCount + " features do not fit in one block; set data.limit");
        }
        if (count == labels.length) {
          int grown = Math.max(16, Math.min(limit, (int) Math.min(MAX_VALUES / featureCount,
              (long) labels.length * 2)));
          labels = Arrays.copyOf(labels, grown);
          features = Arrays.copyOf(features, grown * featureCount);
        }
        labels[count] = parse(file, lineNo, 1, cells[0], "label");
        for (int c = 1; c < columns; c++) {
          float v = parse(file, lineNo, c + 1, cells[c], "feature " + c);
          if (!Float.isFinite(v)) {
            throw new DataFormatException(file + " line " + lineNo + ", column " + (c + 1)
                + " (feature " + c + "): " + cells[c].strip() + " is not a finite number;"
                + " clean the data (drop or impute the value) before training");
          }
          features[count * featureCount + c - 1] = v;
        }
        count++;
      }
      if (count == 0) {
        throw new DataFormatException(file + " holds no examples (no data lines); use a "
            + "non-empty CSV file with lines label,feature1,feature2,...");
      }
      int featureCount = columns - 1;
      return ExampleBlock.ofFloats(Arrays.copyOf(features, count * featureCount),
          Arrays.copyOf(labels, count), count, featureCount, 1);
    } catch (NoSuchFileException e) {
      throw new DataFormatException("no such file " + file + "; check the path");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static float parse(Path file, long line, int column, String cell, String what) {
    String s = cell.strip();
    try {
      float v = Float.parseFloat(s);
      if (what.equals("label") && !Float.isFinite(v)) {
        throw new DataFormatException(file + " line " + line + ", column 1 (label): " + s
            + " is not a finite number; fix or drop the line");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new DataFormatException(file + " line " + line + ", column " + column + " (" + what
          + "): '" + abbreviate(s) + "' is not a number; CSV data must be numeric");
    }
  }

  private static boolean startsWithNumber(String cell) {
    String s = cell.strip();
    if (s.isEmpty()) {
      return false;
    }
    char ch = s.charAt(0);
    return Character.isDigit(ch) || ch == '-' || ch == '+' || ch == '.'
        || s.startsWith("NaN") || s.startsWith("Infinity");
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  private static BufferedReader open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    raw.mark(2);
    int b1 = raw.read();
    int b2 = raw.read();
    raw.reset();
    InputStream in = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }
}
