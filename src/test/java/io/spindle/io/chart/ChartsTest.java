package io.spindle.io.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.train.ConfusionMatrix;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders both charts from sample data and checks the PNGs decode, have the expected size and
 * actually show the series and cells. Set the environment variable
 * {@code SPINDLE_CHART_DIR=/tmp/charts} to keep the images for a look.
 */
class ChartsTest {

  @TempDir
  Path temp;

  private Path out() throws IOException {
    String keep = System.getenv("SPINDLE_CHART_DIR");
    return keep == null ? temp : Files.createDirectories(Path.of(keep));
  }

  /** A plausible run: loss falls, accuracy rises; test measured every other epoch. */
  static List<EpochPoint> sampleRun(int epochs, boolean everyOtherTest) {
    List<EpochPoint> rows = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      double trainLoss = 0.05 + 0.6 * Math.exp(-0.45 * e);
      double trainAcc = 1 - trainLoss / 3.2;
      boolean tested = !everyOtherTest || e % 2 == 0 || e == epochs;
      double testLoss = tested ? trainLoss * 1.1 + 0.01 : Double.NaN;
      double testAcc = tested ? trainAcc - 0.006 : Double.NaN;
      rows.add(new EpochPoint(e, trainLoss, trainAcc, testLoss, testAcc));
    }
    return rows;
  }

  static ConfusionMatrix sampleMatrix(int classes, long seed) {
    ConfusionMatrix m = new ConfusionMatrix(classes);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < 1000 * classes; i++) {
      int t = rng.nextInt(classes);
      int p = rng.nextDouble() < 0.93 ? t : rng.nextInt(classes);
      m.add(t, p);
    }
    return m;
  }

  @Test
  void trainingCurvesPngShowsBothSeriesInBothPanels() throws IOException {
    Path file = out().resolve("training-curves.png");
    TrainingCurvesChart.write(file, sampleRun(12, true), "LeNet-5 on MNIST (sample data)");
    BufferedImage img = ImageIO.read(file.toFile());
    assertEquals(TrainingCurvesChart.WIDTH, img.getWidth());
    assertEquals(TrainingCurvesChart.HEIGHT, img.getHeight());
    assertNotBlank(img);
    int half = img.getWidth() / 2;
    // Series colours appear in the plot areas of both panels (below the legend row).
    for (int panel = 0; panel < 2; panel++) {
      int x0 = panel * half;
      assertTrue(pixels(img, x0, 100, half, img.getHeight() - 100, TrainingCurvesChart.TRAIN) > 200,
          "train curve drawn in panel " + panel);
      assertTrue(pixels(img, x0, 100, half, img.getHeight() - 100, TrainingCurvesChart.TEST) > 100,
          "test curve drawn in panel " + panel);
    }
    assertNoTemporaryFiles(file.getParent());
  }

  @Test
  void trainingCurvesCopeWithMissingTestValuesAndDegenerateInputs() throws IOException {
    List<EpochPoint> trainOnly = new ArrayList<>();
    for (EpochPoint p : sampleRun(5, false)) {
      trainOnly.add(new EpochPoint(p.epoch(), p.trainLoss(), p.trainAccuracy(), Double.NaN,
          Double.NaN));
    }
    BufferedImage img = TrainingCurvesChart.render(trainOnly, "train only");
    assertTrue(pixels(img, 0, 100, img.getWidth(), img.getHeight() - 100,
        TrainingCurvesChart.TRAIN) > 200);
    assertEquals(0, pixels(img, 0, 100, img.getWidth(), img.getHeight() - 100,
        TrainingCurvesChart.TEST), "no test curve without test values");

    BufferedImage one = TrainingCurvesChart.render(List.of(new EpochPoint(1, 0.3, 0.91, 0.28,
        0.92)), "one epoch");
    assertTrue(pixels(one, 0, 100, one.getWidth(), one.getHeight() - 100,
        TrainingCurvesChart.TEST) > 20, "a single epoch still shows its points");
    assertNotBlank(TrainingCurvesChart.render(List.of(), "no epochs"));
    List<EpochPoint> diverged = new ArrayList<>(sampleRun(3, false));
    diverged.add(new EpochPoint(4, Double.POSITIVE_INFINITY, 0.1, Double.NaN, Double.NaN));
    BufferedImage divergedImg = TrainingCurvesChart.render(diverged, "diverged");
    assertNotBlank(divergedImg);
    BufferedImage longRun = TrainingCurvesChart.render(sampleRun(250, true), "250 epochs");
    assertTrue(pixels(longRun, 0, 100, longRun.getWidth(), longRun.getHeight() - 100,
        TrainingCurvesChart.TEST) > 200);
    ImageIO.write(divergedImg, "png", out().resolve("training-curves-diverged.png").toFile());
    ImageIO.write(longRun, "png", out().resolve("training-curves-long.png").toFile());
    ImageIO.write(one, "png", out().resolve("training-curves-one-epoch.png").toFile());
  }

  @Test
  void confusionMatrixPngIsAHeatMapWithTheDiagonalDarkest() throws IOException {
    ConfusionMatrix m = sampleMatrix(10, 42);
    Path file = out().resolve("confusion-matrix.png");
    ConfusionMatrixChart.write(file, m, "MNIST test set (sample data)");
    BufferedImage img = ImageIO.read(file.toFile());
    assertNotBlank(img);
    assertTrue(img.getWidth() > 600 && img.getHeight() > 600, img.getWidth() + "x" + img.getHeight());
    // The diagonal cells (about 93% of each row) are the only large squares in the darkest
    // colour; the colour bar also holds it, but as a strip 18 pixels wide.
    List<int[]> squares = new ArrayList<>();
    for (int[] box : regions(img, ConfusionMatrixChart.colour(m.recall(0)))) {
      int w = box[2] - box[0] + 1;
      int h = box[3] - box[1] + 1;
      if (w >= 30 && h >= 30) {
        assertEquals(w, h, 2, "a diagonal cell is square: " + java.util.Arrays.toString(box));
        squares.add(box);
      }
    }
    assertEquals(10, squares.size(), "one dark square per class");
    squares.sort(java.util.Comparator.comparingInt(b -> b[0]));
    // The pitch from the first to the last square (a square's own box loses the grid lines),
    // across and down: a chart library may round the cell size differently in x and y.
    float cellX = (squares.get(9)[0] - squares.get(0)[0]) / 9f;
    float cellY = (squares.get(9)[1] - squares.get(0)[1]) / 9f;
    assertEquals(cellX, cellY, 1.5, "cells are as high as they are wide");
    assertEquals(squares.get(0)[2] - squares.get(0)[0] + 1, cellX, 3, "cells are squares' size");
    int left = squares.get(0)[0];
    int top = squares.get(0)[1];
    for (int t = 0; t < 10; t++) {
      // Cell t sits t cells right of and t cells below cell 0: on the diagonal.
      assertEquals(left + t * cellX, squares.get(t)[0], 2, "diagonal cell " + t + " x");
      assertEquals(top + t * cellY, squares.get(t)[1], 2, "diagonal cell " + t + " y");
    }
    // Every cell, read near its top-left corner (away from the count), has its share's colour,
    // and each row's off-diagonal cells are far lighter than its diagonal one.
    for (int t = 0; t < 10; t++) {
      int y = Math.round(top + t * cellY) + 4;
      Color diagonal = new Color(img.getRGB(Math.round(left + t * cellX) + 4, y));
      for (int p = 0; p < 10; p++) {
        Color c = new Color(img.getRGB(Math.round(left + p * cellX) + 4, y));
        Color expected = ConfusionMatrixChart.colour((double) m.count(t, p) / m.support(t));
        assertTrue(distance(c, expected) <= 12, "cell " + t + "," + p + ": " + c + ", expected "
            + expected);
        if (p != t) {
          assertTrue(luminance(c) > luminance(diagonal) + 0.4, "cell " + t + "," + p
              + " is lighter than the diagonal");
        }
      }
    }
    assertNoTemporaryFiles(file.getParent());
  }

  private static int distance(Color a, Color b) {
    return Math.abs(a.getRed() - b.getRed()) + Math.abs(a.getGreen() - b.getGreen())
        + Math.abs(a.getBlue() - b.getBlue());
  }

  private static double luminance(Color c) {
    return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255.0;
  }

  /**
   * Bounding boxes {minX, minY, maxX, maxY} of the 4-connected regions of pixels within a small
   * distance of {@code colour}.
   */
  static List<int[]> regions(BufferedImage img, Color colour) {
    int w = img.getWidth();
    int h = img.getHeight();
    boolean[] seen = new boolean[w * h];
    List<int[]> boxes = new ArrayList<>();
    java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
    for (int start = 0; start < w * h; start++) {
      if (seen[start] || distance(new Color(img.getRGB(start % w, start / w)), colour) > 12) {
        continue;
      }
      int[] box = {start % w, start / w, start % w, start / w};
      seen[start] = true;
      queue.add(start);
      while (!queue.isEmpty()) {
        int at = queue.poll();
        int x = at % w;
        int y = at / w;
        box[0] = Math.min(box[0], x);
        box[1] = Math.min(box[1], y);
        box[2] = Math.max(box[2], x);
        box[3] = Math.max(box[3], y);
        for (int[] d : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
          int nx = x + d[0];
          int ny = y + d[1];
          int next = ny * w + nx;
          if (nx >= 0 && nx < w && ny >= 0 && ny < h && !seen[next]
              && distance(new Color(img.getRGB(nx, ny)), colour) <= 12) {
            seen[next] = true;
            queue.add(next);
          }
        }
      }
      boxes.add(box);
    }
    return boxes;
  }

  @Test
  void confusionMatrixScalesToManyClassesAndLongLabels() throws IOException {
    BufferedImage many = ConfusionMatrixChart.render(sampleMatrix(100, 7), "100 classes");
    assertNotBlank(many);
    assertTrue(many.getWidth() < 1200 && many.getHeight() < 1200);
    ConfusionMatrix named = new ConfusionMatrix(List.of("airplane", "automobile", "bird",
        "a very long class name that must be shortened"));
    named.add(0, 0, 90);
    named.add(1, 0, 7);
    named.add(3, 3, 12345678);
    BufferedImage img = ConfusionMatrixChart.render(named, "labels");
    assertNotBlank(img);
    ImageIO.write(img, "png", out().resolve("confusion-matrix-labels.png").toFile());
    ImageIO.write(many, "png", out().resolve("confusion-matrix-100.png").toFile());
  }

  static void assertNotBlank(BufferedImage img) {
    int white = Color.WHITE.getRGB();
    long nonWhite = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        nonWhite += img.getRGB(x, y) == white ? 0 : 1;
      }
    }
    assertTrue(nonWhite > img.getWidth() * (long) img.getHeight() / 50,
        "only " + nonWhite + " non-white pixels");
  }

  /** Pixels within a small distance of {@code colour} in a region (antialiasing blends edges). */
  static int pixels(BufferedImage img, int x0, int y0, int w, int h, Color colour) {
    int n = 0;
    for (int y = y0; y < Math.min(img.getHeight(), y0 + h); y++) {
      for (int x = x0; x < Math.min(img.getWidth(), x0 + w); x++) {
        Color c = new Color(img.getRGB(x, y));
        int d = Math.abs(c.getRed() - colour.getRed()) + Math.abs(c.getGreen() - colour.getGreen())
            + Math.abs(c.getBlue() - colour.getBlue());
        n += d <= 12 ? 1 : 0;
      }
    }
    return n;
  }

  static void assertNoTemporaryFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")));
    }
  }
}
