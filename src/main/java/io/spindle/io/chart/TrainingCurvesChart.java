package io.spindle.io.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.RectangleConstraint;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code training-curves.png}: train and test loss (left panel) and accuracy (right panel) per
 * epoch, drawn with JFreeChart under a shared title and legend. Missing values (NaN, e.g.
 * epochs without a test evaluation) are skipped and the measured points joined; infinite values
 * (a diverged loss) are left out with a note in the panel. Accuracy stays within [0, 100%] and
 * a loss axis does not go below 0.
 */
public final class TrainingCurvesChart {

  static {
    Charts.init();
  }

  public static final int WIDTH = 1200;
  public static final int HEIGHT = 540;

  static final Color TRAIN = new Color(0x1F, 0x77, 0xB4);
  static final Color TEST = new Color(0xE8, 0x6A, 0x0C);

  /** Title and legend above the panels. */
  private static final int HEADER = 92;
  /** Above this many epochs, points are joined without markers. */
  private static final int MARKER_LIMIT = 60;

  private TrainingCurvesChart() {}

  /** Renders the chart; {@code title} heads it (e.g. "LeNet-5 on MNIST"). */
  public static BufferedImage render(List<EpochPoint> epochs, String title) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      JFreeChart loss = panel("Loss", "mean loss per example", epochs, EpochPoint::trainLoss,
          EpochPoint::testLoss, false);
      JFreeChart accuracy = panel("Accuracy", "accuracy", epochs, EpochPoint::trainAccuracy,
          EpochPoint::testAccuracy, true);
      TextTitle heading = new TextTitle(title, Charts.font(Font.BOLD, 22f));
      heading.setPaint(Charts.INK);
      // Titles lay out their content in arrange(), which a chart would call before draw().
      heading.arrange(g, RectangleConstraint.NONE);
      heading.draw(g, new Rectangle2D.Double(0, 10, WIDTH, 36));
      LegendTitle legend = new LegendTitle(loss.getXYPlot().getRenderer());
      legend.setItemFont(Charts.font(Font.PLAIN, 14f));
      legend.setItemPaint(Charts.INK);
      legend.setBackgroundPaint(Color.WHITE);
      double legendWidth = legend.arrange(g, RectangleConstraint.NONE).getWidth();
      legend.draw(g, new Rectangle2D.Double((WIDTH - legendWidth) / 2, 50, legendWidth, 32));
      loss.draw(g, new Rectangle2D.Double(0, HEADER, WIDTH / 2.0, HEIGHT - HEADER));
      accuracy.draw(g, new Rectangle2D.Double(WIDTH / 2.0, HEADER, WIDTH / 2.0,
          HEIGHT - HEADER));
    } finally {
      g.dispose();
    }
    return image;
  }

  /** Renders and writes the PNG atomically (temporary file, then rename). */
  public static void write(Path file, List<EpochPoint> epochs, String title) throws IOException {
    Charts.writePng(render(epochs, title), file);
  }

  private static JFreeChart panel(String name, String yLabel, List<EpochPoint> epochs,
      ToDoubleFunction<EpochPoint> train, ToDoubleFunction<EpochPoint> test, boolean percent) {
    XYSeries trainSeries = new XYSeries("train", false, true);
    XYSeries testSeries = new XYSeries("test", false, true);
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    boolean infinite = false;
    for (EpochPoint p : epochs) {
      for (XYSeries s : List.of(trainSeries, testSeries)) {
        double v = (s == trainSeries ? train : test).applyAsDouble(p);
        if (Double.isFinite(v)) {
          s.add(p.epoch(), v);
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        } else if (Double.isInfinite(v)) {
          infinite = true;
        }
      }
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(trainSeries);
    data.addSeries(testSeries);

    NumberAxis x = new NumberAxis("epoch");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    double first = epochs.isEmpty() ? 1 : epochs.get(0).epoch();
    double last = epochs.isEmpty() ? 1 : epochs.get(epochs.size() - 1).epoch();
    // Half an epoch of air at each end keeps the first and last markers off the frame.
    double xPad = Math.max(0.5, (last - first) * 0.02);
    x.setRange(first - xPad, last + xPad);
    NumberAxis y = new NumberAxis(yLabel);
    if (lo <= hi) {
      double pad = Math.max((hi - lo) * 0.06, percent ? 0.005 : Math.abs(hi) * 0.05 + 1e-6);
      // Never show impossible values: accuracy within [0, 100%], a loss this low >= 0.
      double top = percent && hi <= 1 ? Math.min(1, hi + pad) : hi + pad;
      y.setRange(lo >= 0 ? Math.max(0, lo - pad) : lo - pad, top);
    } else {
      y.setRange(0, 1);
    }
    if (percent) {
      // Ticks may be half a percent apart near 100%: show the digits that tell them apart.
      NumberFormat pct = NumberFormat.getPercentInstance(Locale.ROOT);
      pct.setMaximumFractionDigits(2);
      y.setNumberFormatOverride(pct);
    }
    for (NumberAxis axis : List.of(x, y)) {
      axis.setLabelFont(Charts.font(Font.PLAIN, 14f));
      axis.setTickLabelFont(Charts.font(Font.PLAIN, 12.5f));
      axis.setLabelPaint(Charts.INK);
      axis.setTickLabelPaint(Charts.INK);
    }

    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true,
        epochs.size() <= MARKER_LIMIT);
    lines.setSeriesPaint(0, TRAIN);
    lines.setSeriesPaint(1, TEST);
    lines.setSeriesStroke(0, new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    lines.setSeriesStroke(1, new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND,
        10f, new float[] {9f, 5f}, 0f));
    lines.setSeriesShape(0, new Ellipse2D.Double(-4.5, -4.5, 9, 9));
    lines.setSeriesShape(1, new Rectangle2D.Double(-4.5, -4.5, 9, 9));
    lines.setDrawSeriesLineAsPath(true); // one dash pattern along the whole test line

    XYPlot plot = new XYPlot(data, x, y, lines);
    plot.setBackgroundPaint(Charts.PANEL);
    plot.setDomainGridlinePaint(Charts.GRID);
    plot.setRangeGridlinePaint(Charts.GRID);
    plot.setDomainGridlineStroke(new BasicStroke(1f));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setOutlineVisible(false);
    plot.setNoDataMessage(epochs.isEmpty() ? "no epochs yet" : "no values measured");
    plot.setNoDataMessageFont(Charts.font(Font.ITALIC, 13f));
    plot.setNoDataMessagePaint(Charts.MUTED);

    JFreeChart chart = new JFreeChart(name, Charts.font(Font.BOLD, 16f), plot, false);
    chart.getTitle().setPaint(Charts.INK);
    chart.setBackgroundPaint(Color.WHITE);
    if (infinite) {
      TextTitle note = new TextTitle("infinite values not drawn", Charts.font(Font.ITALIC, 12f));
      note.setPaint(Charts.MUTED);
      chart.addSubtitle(note);
    }
    return chart;
  }
}
