package io.spindle.io.chart;

import io.spindle.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A white RGB image with antialiased Java2D drawing and the few text helpers the charts share.
 * Loading this class sets {@code java.awt.headless=true} (unless the JVM was started with an
 * explicit value), so charts render on servers and Spark drivers without a display.
 */
final class Canvas {

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    ImageIO.setUseCache(false); // encode in memory, no cache files in java.io.tmpdir
  }

  /** Called first by the public chart classes so the property is set before AWT starts. */
  static void init() {
    // The static initializer above does the work.
  }

  static final Color INK = new Color(0x22, 0x22, 0x22);
  static final Color MUTED = new Color(0x55, 0x55, 0x55);
  static final Color GRID = new Color(0xE3, 0xE3, 0xE3);
  static final Color PANEL = new Color(0xFA, 0xFA, 0xFA);
  static final String FAMILY = Font.SANS_SERIF;

  enum Align { START, CENTER, END }

  final BufferedImage image;
  final Graphics2D g;

  Canvas(int width, int height) {
    image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS,
        RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(INK);
  }

  static Font font(int style, float size) {
    return new Font(FAMILY, style, 1).deriveFont(size);
  }

  /** A scratch graphics context for measuring text before the image size is known. */
  static FontMetrics metrics(Font font) {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS,
        RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    FontMetrics fm = g.getFontMetrics(font);
    g.dispose();
    return fm;
  }

  double width(String s, Font font) {
    return g.getFontMetrics(font).getStringBounds(s, g).getWidth();
  }

  /**
   * Draws {@code s} horizontally aligned at x and vertically centred on y.
   */
  void text(String s, Font font, Color color, double x, double y, Align align) {
    g.setFont(font);
    g.setColor(color);
    FontMetrics fm = g.getFontMetrics();
    double w = fm.getStringBounds(s, g).getWidth();
    double left = align == Align.START ? x : align == Align.CENTER ? x - w / 2 : x - w;
    double baseline = y + (fm.getAscent() - fm.getDescent()) / 2.0;
    g.drawString(s, (float) left, (float) baseline);
  }

  /** Draws {@code s} rotated a quarter turn anticlockwise (reading upwards), centred on (x, y). */
  void verticalText(String s, Font font, Color color, double x, double y, Align align) {
    AffineTransform saved = g.getTransform();
    g.translate(x, y);
    g.rotate(-Math.PI / 2);
    text(s, font, color, 0, 0, align);
    g.setTransform(saved);
  }

  void stroke(float width) {
    g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
  }

  /** Shortens {@code s} with an ellipsis until it is at most {@code max} pixels wide. */
  String fit(String s, Font font, double max) {
    if (width(s, font) <= max) {
      return s;
    }
    String t = s;
    while (t.length() > 1 && width(t + "\u2026", font) > max) {
      t = t.substring(0, t.length() - 1);
    }
    return t + "\u2026";
  }

  BufferedImage finish() {
    g.dispose();
    return image;
  }

  /** Encodes {@code image} as PNG and replaces {@code file} atomically. */
  static void writePng(BufferedImage image, Path file) throws IOException {
    AtomicFiles.write(file, out -> {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("this JVM has no PNG encoder");
      }
    });
  }
}
