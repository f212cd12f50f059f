package io.spindle.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/** Small generated image folders for the image-source tests. */
public final class TestImages {

  private TestImages() {}

  /**
   * {@code perClass} 20x20 RGB PNGs in horizontal/ and vertical/: stripes of random colours,
   * width and phase, so only the orientation tells the classes apart.
   */
  public static void writeStripes(Path root, int perClass, long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    for (String cls : new String[] {"horizontal", "vertical"}) {
      Path dir = Files.createDirectories(root.resolve(cls));
      for (int i = 0; i < perClass; i++) {
        BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
        int a = rng.nextInt(0x1000000);
        int b = a ^ 0x808080; // every channel differs by 128
        int width = 3 + rng.nextInt(3);
        int phase = rng.nextInt(width * 2);
        for (int y = 0; y < 20; y++) {
          for (int x = 0; x < 20; x++) {
            int t = cls.equals("horizontal") ? y : x;
            img.setRGB(x, y, ((t + phase) / width) % 2 == 0 ? a : b);
          }
        }
        ImageIO.write(img, "png", dir.resolve(cls + i + ".png").toFile());
      }
    }
    Files.writeString(root.resolve("horizontal/notes.txt"), "not an image; skipped");
  }
}
