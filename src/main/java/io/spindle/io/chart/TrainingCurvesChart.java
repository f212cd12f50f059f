package io.spindle.io.chart;

import io.spindle.io.chart.Canvas.Align;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * {@code training-curves.png}: train and test loss (left panel) and accuracy (right panel) per
 * epoch, with axes, tick labels, grid, a shared legend and a title. Missing values (NaN, e.g.
 * epochs without a test evaluation) are skipped and the measured points joined; infinite values
 * (a diverged loss) are left out with a note in the panel.
 */
public final class TrainingCurvesChart {

  static {
    Canvas.init();
  }

  public static final int WIDTH = 1200;
  public static final int HEIGHT = 540;

  static final Color TRAIN = new Color(0x1F, 0x77, 0xB4);
  static final Color TEST = new Color(0xE8, 0x6A, 0x0C);

  private static final Font TITLE = Canvas.font(Font.BOLD, 22f);
  private static final Font PANEL_TITLE = Canvas.font(Font.BOLD, 16f);
  private static final Font LABEL = Canvas.font(Font.PLAIN, 14f);
  private static final Font TICK = Canvas.font(Font.PLAIN, 12.5f);
  private static final Font NOTE = Canvas.font(Font.ITALIC, 12f);
  /** Above this many epochs, points are joined without markers. */
  private static final int MARKER_LIMIT = 60;

  private TrainingCurvesChart() {}

  /** Renders the chart; {@code title} heads it (e.g. "LeNet-5 on MNIST"). */
  public static BufferedImage render(List<EpochPoint> epochs, String title) {
    Canvas c = new Canvas(WIDTH, HEIGHT);
    c.text(title, TITLE, Canvas.INK, WIDTH / 2.0, 28, Align.CENTER);
    legend(c, WIDTH / 2.0, 60);
    int panelWidth = WIDTH / 2;
    Rectangle2D loss = new Rectangle2D.Double(84, 108, panelWidth - 84 - 28, HEIGHT - 108 - 64);
    Rectangle2D acc = new Rectangle2D.Double(panelWidth + 84, 108, panelWidth - 84 - 36,
        HEIGHT - 108 - 64);
    panel(c, loss, "Loss", "mean loss per example", epochs, EpochPoint::trainLoss,
        EpochPoint::testLoss, false);
    panel(c, acc, "Accuracy", "accuracy", epochs, EpochPoint::trainAccuracy,
        EpochPoint::testAccuracy, true);
    return c.finish();
  }

  /** Renders and writes the PNG atomically (temporary file, then rename). */
  public static void write(Path file, List<EpochPoint> epochs, String title) throws IOException {
    Canvas.writePng(render(epochs, title), file);
  }

  private static void legend(Canvas c, double centreX, double y) {
    double sample = 34;
    double gap = 28;
    double trainW = sample + 8 + c.width("train", LABEL);
    double testW = sample + 8 + c.width("test", LABEL);
    double x = centreX - (trainW + gap + testW) / 2;
    legendEntry(c, x, y, sample, TRAIN, false, "train");
    legendEntry(c, x + trainW + gap, y, sample, TEST, true, "test");
  }

  private static void legendEntry(Canvas c, double x, double y, double sample, Color color,
      boolean dashed, String name) {
    c.g.setColor(color);
    c.g.setStroke(seriesStroke(dashed));
    c.g.draw(new Line2D.Double(x, y, x + sample, y));
    c.g.fill(marker(x + sample / 2, y, dashed));
    c.text(name, LABEL, Canvas.INK, x + sample + 8, y, Align.START);
  }

  private static void panel(Canvas c, Rectangle2D area, String name, String yLabel,
      List<EpochPoint> epochs, ToDoubleFunction<EpochPoint> train,
      ToDoubleFunction<EpochPoint> test, boolean percent) {
    c.text(name, PANEL_TITLE, Canvas.INK, area.getCenterX(), area.getY() - 16, Align.CENTER);
    c.g.setColor(Canvas.PANEL);
    c.g.fill(area);

    double xLo = Double.POSITIVE_INFINITY;
    double xHi = Double.NEGATIVE_INFINITY;
    double yLo = Double.POSITIVE_INFINITY;
    double yHi = Double.NEGATIVE_INFINITY;
    boolean infinite = false;
    for (EpochPoint p : epochs) {
      xLo = Math.min(xLo, p.epoch());
      xHi = Math.max(xHi, p.epoch());
      for (double v : new double[] {train.applyAsDouble(p), test.applyAsDouble(p)}) {
        if (Double.isFinite(v)) {
          yLo = Math.min(yLo, v);
          yHi = Math.max(yHi, v);
        } else if (Double.isInfinite(v)) {
          infinite = true;
        }
      }
    }
    boolean hasData = yLo <= yHi;
    if (epochs.isEmpty()) {
      xLo = 1;
      xHi = 1;
    }
    // Half an epoch of air at each end keeps the first and last markers off the frame.
    double xPad = Math.max(0.5, (xHi - xLo) * 0.02);
    NiceScale xs = NiceScale.integers(xLo - xPad, xHi + xPad, 10);
    NiceScale ys = yScale(yLo, yHi, hasData, percent);

    axes(c, area, xs, ys, percent);
    c.text("epoch", LABEL, Canvas.INK, area.getCenterX(), area.getMaxY() + 44, Align.CENTER);
    c.verticalText(yLabel, LABEL, Canvas.INK, area.getX() - 66, area.getCenterY(), Align.CENTER);

    if (!hasData) {
      c.text(epochs.isEmpty() ? "no epochs yet" : "no values measured", NOTE, Canvas.MUTED,
          area.getCenterX(), area.getCenterY(), Align.CENTER);
    } else {
      Shape clip = c.g.getClip();
      c.g.clip(new Rectangle2D.Double(area.getX() - 6, area.getY() - 6, area.getWidth() + 12,
          area.getHeight() + 12));
      series(c, area, xs, ys, epochs, train, TRAIN, false);
      series(c, area, xs, ys, epochs, test, TEST, true);
      c.g.setClip(clip);
    }
    if (infinite) {
      c.text("infinite values not drawn", NOTE, Canvas.MUTED, area.getMaxX() - 8,
          area.getY() + 14, Align.END);
    }
  }

  private static NiceScale yScale(double lo, double hi, boolean hasData, boolean percent) {
    if (!hasData) {
      return NiceScale.covering(0, 1, 6);
    }
    double pad = (hi - lo) * 0.04;
    NiceScale s = NiceScale.covering(lo - pad, hi + pad, 7);
    // Never show impossible values: accuracy stays within [0, 100%], a loss this low stays >= 0.
    if (percent) {
      return s.clip(lo >= 0 ? 0 : s.min, hi <= 1 ? 1 : s.max);
    }
    return s.clip(lo >= 0 ? 0 : s.min, s.max);
  }

  private static void axes(Canvas c, Rectangle2D a, NiceScale xs, NiceScale ys,
      boolean percent) {
    c.g.setStroke(new BasicStroke(1f));
    for (double t : ys.ticks()) {
      double y = yPixel(a, ys, t);
      c.g.setColor(Canvas.GRID);
      c.g.draw(new Line2D.Double(a.getX(), y, a.getMaxX(), y));
      c.g.setColor(Canvas.INK);
      c.g.draw(new Line2D.Double(a.getX() - 5, y, a.getX(), y));
      c.text(ys.label(t, percent), TICK, Canvas.INK, a.getX() - 9, y, Align.END);
    }
    for (double t : xs.ticks()) {
      double x = xPixel(a, xs, t);
      c.g.setColor(Canvas.GRID);
      c.g.draw(new Line2D.Double(x, a.getY(), x, a.getMaxY()));
      c.g.setColor(Canvas.INK);
      c.g.draw(new Line2D.Double(x, a.getMaxY(), x, a.getMaxY() + 5));
      c.text(xs.label(t, false), TICK, Canvas.INK, x, a.getMaxY() + 17, Align.CENTER);
    }
    c.g.setColor(Canvas.INK);
    c.g.setStroke(new BasicStroke(1.3f));
    c.g.draw(new Line2D.Double(a.getX(), a.getY(), a.getX(), a.getMaxY()));
    c.g.draw(new Line2D.Double(a.getX(), a.getMaxY(), a.getMaxX(), a.getMaxY()));
  }

  private static void series(Canvas c, Rectangle2D a, NiceScale xs, NiceScale ys,
      List<EpochPoint> epochs, ToDoubleFunction<EpochPoint> value, Color color,
      boolean dashed) {
    Path2D.Double line = new Path2D.Double();
    int points = 0;
    for (EpochPoint p : epochs) {
      double v = value.applyAsDouble(p);
      if (!Double.isFinite(v)) {
        continue; // not measured this epoch: join the neighbours
      }
      double x = xPixel(a, xs, p.epoch());
      double y = yPixel(a, ys, v);
      if (points++ == 0) {
        line.moveTo(x, y);
      } else {
        line.lineTo(x, y);
      }
    }
    c.g.setColor(color);
    c.g.setStroke(seriesStroke(dashed));
    c.g.draw(line);
    if (points <= MARKER_LIMIT) {
      for (EpochPoint p : epochs) {
        double v = value.applyAsDouble(p);
        if (Double.isFinite(v)) {
          c.g.fill(marker(xPixel(a, xs, p.epoch()), yPixel(a, ys, v), dashed));
        }
      }
    }
  }

  private static BasicStroke seriesStroke(boolean dashed) {
    return dashed
        ? new BasicStroke(2.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {8f, 5f}, 0f)
        : new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  }

  /** Train points are circles, test points squares, so the series differ without colour too. */
  private static Shape marker(double x, double y, boolean square) {
    double r = 4;
    return square ? new Rectangle2D.Double(x - r, y - r, 2 * r, 2 * r)
        : new Ellipse2D.Double(x - r - 0.5, y - r - 0.5, 2 * r + 1, 2 * r + 1);
  }

  private static double xPixel(Rectangle2D a, NiceScale s, double v) {
    return a.getX() + (v - s.min) / (s.max - s.min) * a.getWidth();
  }

  private static double yPixel(Rectangle2D a, NiceScale s, double v) {
    return a.getMaxY() - (v - s.min) / (s.max - s.min) * a.getHeight();
  }
}
