package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spindle.tensor.Shape;
import org.junit.jupiter.api.Test;

class ImagePixelsTest {

  /** A 1x2 BGR image: a pure red pixel, then a pure blue one. */
  private static final byte[] RED_BLUE = {0, 0, (byte) 255, (byte) 255, 0, 0};

  @Test
  void bgrBecomesRgbPlanesScaledToOne() {
    float[] out = new float[6];
    ImagePixels.toChw(RED_BLUE, 1, 2, 3, Shape.of(3, 1, 2), out, 0);
    // CHW: the R plane (red pixel, blue pixel), then G, then B.
    assertArrayEquals(new float[] {1, 0, 0, 0, 0, 1}, out);
  }

  @Test
  void colorToOneChannelIsLuma() {
    float[] out = new float[2];
    ImagePixels.toChw(RED_BLUE, 1, 2, 3, Shape.of(1, 1, 2), out, 0);
    assertArrayEquals(new float[] {0.299f, 0.114f}, out, 1e-6f);
  }

  @Test
  void grayIsRepeatedAndAlphaFilled() {
    byte[] gray = {(byte) 51};
    float[] out = new float[4];
    ImagePixels.toChw(gray, 1, 1, 1, Shape.of(4, 1, 1), out, 0);
    assertArrayEquals(new float[] {0.2f, 0.2f, 0.2f, 1f}, out, 1e-6f);
  }

  @Test
  void bilinearResizeUsesPixelCentres() {
    // 1x2 gray [0, 255] stretched to 1x4: centres at -0.25, 0.25, 0.75, 1.25 of the source,
    // clamped at the edges: 0, 0.25, 0.75, 1.
    byte[] ramp = {0, (byte) 255};
    float[] out = new float[4];
    ImagePixels.toChw(ramp, 1, 2, 1, Shape.of(1, 1, 4), out, 0);
    assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, out, 1e-6f);
    // Halving averages neighbours: 2x2 -> 1x1 samples the centre, the mean of all four.
    byte[] square = {0, (byte) 100, (byte) 200, (byte) 40};
    float[] one = new float[1];
    ImagePixels.toChw(square, 2, 2, 1, Shape.of(1, 1, 1), one, 0);
    assertEquals(85f / 255f, one[0], 1e-6f);
  }

  @Test
  void rejectsShapesImagesCannotFill() {
    assertThrows(IllegalArgumentException.class, () -> ImagePixels.checkShape(Shape.of(2, 8, 8)));
    assertThrows(IllegalArgumentException.class,
        () -> ImagePixels.toChw(new byte[3], 2, 2, 3, Shape.of(3, 2, 2), new float[12], 0));
  }
}
