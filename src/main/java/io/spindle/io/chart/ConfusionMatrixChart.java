package io.spindle.io.chart;

import io.spindle.train.ConfusionMatrix;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * {@code confusion-matrix.png}: a JFreeChart heat map with true classes as rows and predicted
 * classes as columns, the count written in each cell large enough to hold it, a colour scale
 * and a title. A cell's colour is its share of the true class (the row), so errors on rare
 * classes are as visible as on common ones (the diagonal reads as per-class recall), on a
 * logarithmic scale so that error rates of a few percent stand out next to a diagonal near
 * 100%.
 */
public final class ConfusionMatrixChart {

  static {
    Charts.init();
  }

  /** Matrix side in pixels the cells aim at (cells are 4 to 64 pixels). */
  private static final int MATRIX_TARGET = 600;
  /** Longer class names are shortened with an ellipsis. */
  private static final int MAX_LABEL_CHARS = 22;

  /** 1% of a row lands at 15% of the scale, 10% at half of it. */
  private static final double LOG_SPREAD = 99;

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
    String[] labels = new String[k];
    int longest = 0;
    for (int c = 0; c < k; c++) {
      String l = m.label(c);
      labels[c] = l.length() <= MAX_LABEL_CHARS ? l : l.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
      longest = Math.max(longest, labels[c].length());
    }
    Font labelFont = Charts.font(Font.PLAIN, Math.max(9f, Math.min(14f, cell * 0.3f)));
    double labelWidth = metrics(labelFont).stringWidth("M".repeat(Math.max(1, longest))) * 0.62;
    boolean verticalColumnLabels = labelWidth > cell - 4;

    // Position on the colour scale (see position()), so the legend's bar is evenly graded.
    DefaultXYZDataset data = new DefaultXYZDataset();
    double[][] cells = new double[3][k * k];
    for (int t = 0; t < k; t++) {
      long support = m.support(t);
      for (int p = 0; p < k; p++) {
        int i = t * k + p;
        cells[0][i] = p;
        cells[1][i] = t;
        cells[2][i] = position(support == 0 ? 0 : (double) m.count(t, p) / support);
      }
    }
    data.addSeries("share of true class", cells);

    SymbolAxis predicted = axis("predicted class", labels, labelFont);
    predicted.setVerticalTickLabels(verticalColumnLabels);
    SymbolAxis actual = axis("true class", labels, labelFont);
    actual.setInverted(true); // class 0 in the top row
    XYBlockRenderer blocks = new XYBlockRenderer();
    PaintScale scale = new Palette();
    blocks.setPaintScale(scale);
    XYPlot plot = new XYPlot(data, predicted, actual, blocks);
    plot.setDomainAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlinePaint(new Color(0xBB, 0xBB, 0xBB));
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    if (cell >= 14) {
      for (int t = 0; t < k; t++) {
        for (int p = 0; p < k; p++) {
          plot.addAnnotation(count(m.count(t, p), p, t, cell, scale.getPaint(cells[2][t * k + p])));
        }
      }
    }

    JFreeChart chart = new JFreeChart(title, Charts.font(Font.BOLD, 20f), plot, false);
    chart.getTitle().setPaint(Charts.INK);
    chart.setBackgroundPaint(Color.WHITE);
    TextTitle subtitle = new TextTitle(subtitle(m), Charts.font(Font.PLAIN, 13f));
    subtitle.setPaint(Charts.MUTED);
    chart.addSubtitle(subtitle);
    PaintScaleLegend legend = new PaintScaleLegend(scale, new ShareAxis());
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setAxisLocation(AxisLocation.TOP_OR_RIGHT);
    legend.setSubdivisionCount(256);
    legend.setStripWidth(18);
    legend.setAxisOffset(4);
    legend.setMargin(new RectangleInsets(8, 24, 8, 12));
    legend.setBackgroundPaint(Color.WHITE);
    legend.setStripOutlineVisible(true);
    legend.setStripOutlinePaint(new Color(0xBB, 0xBB, 0xBB));
    chart.addSubtitle(legend);

    double columnLabelHeight = verticalColumnLabels ? labelWidth : labelFont.getSize2D() * 1.4;
    int side = cell * k;
    int width = (int) Math.ceil(side + 40 + labelWidth + 34 + 150);
    int height = (int) Math.ceil(side + 90 + columnLabelHeight + 46);
    width = Math.max(width, metrics(Charts.font(Font.BOLD, 20f)).stringWidth(title) + 60);
    return chart.createBufferedImage(width, height);
  }

  /** Renders and writes the PNG atomically (temporary file, then rename). */
  public static void write(Path file, ConfusionMatrix m, String title) throws IOException {
    Charts.writePng(render(m, title), file);
  }

  private static String subtitle(ConfusionMatrix m) {
    long total = m.total();
    String acc = total == 0 ? "no examples"
        : String.format(Locale.ROOT, "accuracy %.2f%% of %d examples", 100 * m.accuracy(), total);
    return acc + "; colour: share of the true class (row), log scale";
  }

  private static SymbolAxis axis(String name, String[] labels, Font font) {
    SymbolAxis axis = new SymbolAxis(name, labels);
    axis.setLabelFont(Charts.font(Font.BOLD, 14f));
    axis.setLabelPaint(Charts.INK);
    axis.setTickLabelFont(font);
    axis.setTickLabelPaint(Charts.INK);
    axis.setGridBandsVisible(false);
    axis.setTickMarksVisible(false);
    axis.setAxisLineVisible(false);
    return axis;
  }

  /** The count in a cell, as large as fits (down to 7 pt), in ink that contrasts with it. */
  private static XYTextAnnotation count(long n, int p, int t, int cell, Paint background) {
    String s = Long.toString(n);
    float size = (float) Math.min(15, cell * 0.3);
    Font f = Charts.font(n == 0 ? Font.PLAIN : Font.BOLD, size);
    while (metrics(f).stringWidth(s) > cell - 4 && size > 7) {
      size -= 0.5f;
      f = f.deriveFont(size);
    }
    XYTextAnnotation a = new XYTextAnnotation(metrics(f).stringWidth(s) > cell - 2 ? "" : s, p, t);
    a.setFont(f);
    a.setTextAnchor(TextAnchor.CENTER);
    a.setPaint(n == 0 ? new Color(0x9A, 0xA4, 0xAE)
        : luminance((Color) background) < 0.5 ? Color.WHITE : Charts.INK);
    return a;
  }

  private static FontMetrics metrics(Font font) {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    try {
      return g.getFontMetrics(font);
    } finally {
      g.dispose();
    }
  }

  /** The palette over scale positions [0, 1]. */
  private static final class Palette implements PaintScale, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public Paint getPaint(double position) {
      return paletteAt(position);
    }
  }

  /** The colour bar's axis: scale positions, labelled with the shares they stand for. */
  private static final class ShareAxis extends NumberAxis {
    private static final long serialVersionUID = 1L;

    ShareAxis() {
      super("share of true class");
      setRange(0, 1);
      setLabelFont(Charts.font(Font.PLAIN, 12f));
      setLabelPaint(Charts.MUTED);
      setTickLabelFont(Charts.font(Font.PLAIN, 12f));
      setTickLabelPaint(Charts.INK);
      setAxisLineVisible(false);
    }

    @Override
    public List<NumberTick> refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea,
        RectangleEdge edge) {
      List<NumberTick> ticks = new ArrayList<>();
      double last = Double.NEGATIVE_INFINITY;
      for (int pct : new int[] {0, 1, 2, 5, 10, 25, 50, 100}) {
        double at = position(pct / 100.0);
        boolean end = pct == 0 || pct == 100;
        // A short bar: keep the labels apart, and 0% and 100% always.
        if (!end && ((at - last) * dataArea.getHeight() < 16
            || (1 - at) * dataArea.getHeight() < 16)) {
          continue;
        }
        last = at;
        ticks.add(new NumberTick(TickType.MAJOR, at, pct + "%", TextAnchor.CENTER_LEFT,
            TextAnchor.CENTER_LEFT, 0));
      }
      return ticks;
    }
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
