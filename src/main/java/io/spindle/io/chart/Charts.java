package io.spindle.io.chart;

import io.spindle.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * What the two charts share: colours, fonts and writing a PNG atomically. Loading this class
 * sets {@code java.awt.headless=true} (unless the JVM was started with an explicit value), so
 * charts render on servers and Spark drivers without a display.
 */
final class Charts {

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

  private Charts() {}

  static Font font(int style, float size) {
    return new Font(Font.SANS_SERIF, style, 1).deriveFont(size);
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
