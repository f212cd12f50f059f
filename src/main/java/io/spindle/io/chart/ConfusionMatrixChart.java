package io.spindle.io.chart;

import io.spindle.io.chart.Canvas.Align;
import io.spindle.train.ConfusionMatrix;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code confusion-matrix.png}: a heat map with true classes as rows and predicted classes as
 * columns, the count written in each cell, a colour scale and a title. A cell's colour is its
 * share of the true class (the row), so errors on rare classes are as visible as on common ones
 * (the diagonal reads as per-class recall), on a logarithmic scale so that error rates of a few
 * percent stand out next to a diagonal near 100%.
 */
public final class ConfusionMatrixChart {

  static {
    Canvas.init();
  }

  /** Matrix side in pixels the cells aim at (cells are 4 to 64 pixels). */
  private static final int MATRIX_TARGET = 600;
  private static final double MAX_LABEL_WIDTH = 140;

  /** 1% of a row lands at 15% of the scale, 10% at half of it. */
  private static final double LOG_SPREAD = 99;

  private static final Font TITLE = Canvas.font(Font.BOLD, 20f);
  private static final Font SUBTITLE = Canvas.font(Font.PLAIN, 13f);
  private static final Font AXIS = Canvas.font(Font.BOLD, 14f);
  private static final Font TICK = Canvas.font(Font.PLAIN, 12f);

  /** Sequential palette from white to dark blue (ColorBrewer "Blues"). */
  private static final Color[] PALETTE = {
    new Color(0xF7, 0xFB, 0xFF), new Color(0xDE, 0xEB, 0xF7), new Color(0xC6, 0xDB, 0xEF),
    new Color(0x9E, 0xCA, 0xE1), new Color(0x6B, 0xAE, 0xD6), new Color(0x42, 0x92, 0xC6),
    new Color(0x21, 0x71, 0xB5), new Color(0x08, 0x51, 0x9C), new Color(0x08, 0x30, 0x6B)
  };

  private ConfusionMatrixChart() {}

  /** Renders the heat map; {@code title} heads it (e.g. "MNIST test set"). */
  public static BufferedImage render(ConfusionMatrix m, String title) {
    int k = m.classes();
    int cell = Math.max(4, Math.min(64, Math.round((float) MATRIX_TARGET / k)));
    int side = cell * k;
    Font labelFont = Canvas.font(Font.PLAIN, Math.max(9f, Math.min(14f, cell * 0.3f)));
    FontMetrics lfm = Canvas.metrics(labelFont);
    int labelStride = Math.max(1, (int) Math.ceil((lfm.getHeight() + 2.0) / cell));
    double labelWidth = 0;
    for (int c = 0; c < k; c++) {
      labelWidth = Math.max(labelWidth, lfm.stringWidth(m.label(c)));
    }
    labelWidth = Math.min(labelWidth, MAX_LABEL_WIDTH);
    boolean verticalColumnLabels = labelWidth > cell * labelStride - 4;
    double columnLabelHeight = verticalColumnLabels ? labelWidth : lfm.getHeight();

    String subtitle = subtitle(m);
    int left = (int) Math.ceil(28 + 12 + labelWidth + 8);
    int top = 96;
    int barGap = 28;
    int barWidth = 18;
    int right = barGap + barWidth + 8 + 44 + 30 + 16;
    int bottom = (int) Math.ceil(8 + columnLabelHeight + 12 + 22 + 14);
    int width = left + side + right;
    double titleWidth = Math.max(Canvas.metrics(TITLE).stringWidth(title),
        Canvas.metrics(SUBTITLE).stringWidth(subtitle));
    int needed = (int) Math.ceil(titleWidth + 40);
    if (needed > width) {
      left += (needed - width) / 2; // keep the matrix centred under a long title
      width = needed;
    }
    int height = top + side + bottom;

    Canvas c = new Canvas(width, height);
    c.text(title, TITLE, Canvas.INK, width / 2.0, 26, Align.CENTER);
    c.text(subtitle, SUBTITLE, Canvas.MUTED, width / 2.0, 52, Align.CENTER);

    cells(c, m, left, top, cell);
    rowAndColumnLabels(c, m, left, top, cell, labelFont, labelStride, verticalColumnLabels);
    c.verticalText("true class", AXIS, Canvas.INK, 20, top + side / 2.0, Align.CENTER);
    c.text("predicted class", AXIS, Canvas.INK, left + side / 2.0,
        top + side + 8 + columnLabelHeight + 22, Align.CENTER);
    colourBar(c, left + side + barGap, top, barWidth, side);
    return c.finish();
  }

  /** Renders and writes the PNG atomically (temporary file, then rename). */
  public static void write(Path file, ConfusionMatrix m, String title) throws IOException {
    Canvas.writePng(render(m, title), file);
  }

  private static String subtitle(ConfusionMatrix m) {
    long total = m.total();
    String acc = total == 0 ? "no examples"
        : String.format(Locale.ROOT, "accuracy %.2f%% of %d examples", 100 * m.accuracy(), total);
    return acc + "; colour: share of the true class (row), log scale";
  }

  private static void cells(Canvas c, ConfusionMatrix m, int left, int top, int cell) {
    int k = m.classes();
    for (int t = 0; t < k; t++) {
      long support = m.support(t);
      for (int p = 0; p < k; p++) {
        long n = m.count(t, p);
        double share = support == 0 ? 0 : (double) n / support;
        Color bg = colour(share);
        Rectangle2D r = new Rectangle2D.Double(left + p * cell, top + t * cell, cell, cell);
        c.g.setColor(bg);
        c.g.fill(r);
        if (cell >= 14) {
          countText(c, Long.toString(n), r, bg, n == 0);
        }
      }
    }
    c.g.setColor(new Color(0xBB, 0xBB, 0xBB));
    c.g.setStroke(new BasicStroke(1f));
    c.g.draw(new Rectangle2D.Double(left, top, cell * k, cell * k));
    if (cell >= 10) {
      c.g.setColor(new Color(255, 255, 255, 120));
      for (int i = 1; i < k; i++) {
        c.g.drawLine(left + i * cell, top, left + i * cell, top + k * cell);
        c.g.drawLine(left, top + i * cell, left + k * cell, top + i * cell);
      }
    }
  }

  /** The count, as large as fits the cell (down to 7 pt), in ink that contrasts with it. */
  private static void countText(Canvas c, String s, Rectangle2D r, Color bg, boolean zero) {
    float size = (float) Math.min(15, r.getWidth() * 0.3);
    Font f = Canvas.font(zero ? Font.PLAIN : Font.BOLD, size);
    while (c.width(s, f) > r.getWidth() - 4 && size > 7) {
      size -= 0.5f;
      f = f.deriveFont(size);
    }
    if (c.width(s, f) > r.getWidth() - 2) {
      return;
    }
    Color ink = luminance(bg) < 0.5 ? Color.WHITE : Canvas.INK;
    if (zero) {
      ink = new Color(0x9A, 0xA4, 0xAE);
    }
    c.text(s, f, ink, r.getCenterX(), r.getCenterY(), Align.CENTER);
  }

  private static void rowAndColumnLabels(Canvas c, ConfusionMatrix m, int left, int top,
      int cell, Font font, int stride, boolean vertical) {
    int k = m.classes();
    int side = cell * k;
    for (int i = 0; i < k; i += stride) {
      String label = c.fit(m.label(i), font, MAX_LABEL_WIDTH);
      double centre = (i + 0.5) * cell;
      c.text(label, font, Canvas.INK, left - 8, top + centre, Align.END);
      if (vertical) {
        c.verticalText(label, font, Canvas.INK, left + centre, top + side + 8, Align.END);
      } else {
        c.text(label, font, Canvas.INK, left + centre, top + side + 8 + 8, Align.CENTER);
      }
    }
  }

  private static void colourBar(Canvas c, int x, int top, int width, int height) {
    for (int y = 0; y < height; y++) {
      c.g.setColor(paletteAt(1.0 - (double) y / Math.max(1, height - 1)));
      c.g.fillRect(x, top + y, width, 1);
    }
    c.g.setColor(new Color(0xBB, 0xBB, 0xBB));
    c.g.setStroke(new BasicStroke(1f));
    c.g.drawRect(x, top, width, height);
    c.g.setColor(Canvas.INK);
    double lastY = Double.POSITIVE_INFINITY;
    for (int pct : new int[] {0, 1, 2, 5, 10, 25, 50, 100}) {
      double y = top + height * (1 - position(pct / 100.0));
      boolean end = pct == 0 || pct == 100;
      if (!end && (lastY - y < 16 || y - top < 16)) {
        continue; // a short bar: keep the labels apart, and 0% and 100% always
      }
      lastY = y;
      c.g.drawLine(x + width, (int) Math.round(y), x + width + 4, (int) Math.round(y));
      c.text(pct + "%", TICK, Canvas.INK, x + width + 8, y, Align.START);
    }
    c.verticalText("share of true class", TICK, Canvas.MUTED, x + width + 8 + 44 + 14,
        top + height / 2.0, Align.CENTER);
  }

  /** Where a share in [0, 1] sits on the colour scale: log(1 + 99 s) / log(100). */
  static double position(double share) {
    double s = Math.max(0, Math.min(1, share));
    return Math.log1p(LOG_SPREAD * s) / Math.log1p(LOG_SPREAD);
  }

  /** Palette colour for a share in [0, 1] (on the logarithmic scale). */
  static Color colour(double share) {
    return paletteAt(position(share));
  }

  /** Palette colour at a scale position in [0, 1], interpolated between the stops. */
  private static Color paletteAt(double position) {
    double v = Math.max(0, Math.min(1, position)) * (PALETTE.length - 1);
    int i = Math.min(PALETTE.length - 2, (int) v);
    double f = v - i;
    Color a = PALETTE[i];
    Color b = PALETTE[i + 1];
    return new Color(mix(a.getRed(), b.getRed(), f), mix(a.getGreen(), b.getGreen(), f),
        mix(a.getBlue(), b.getBlue(), f));
  }

  private static int mix(int a, int b, double f) {
    return (int) Math.round(a + (b - a) * f);
  }

  private static double luminance(Color c) {
    return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255.0;
  }
}
