package io.spindle.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spindle.nn.NetworkSpec;
import io.spindle.tensor.Shape;
import io.spindle.train.GradientStep;
import io.spindle.train.LocalEvaluator;
import io.spindle.train.Metrics;
import io.spindle.train.TestData;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random crops after zero padding and horizontal flips, drawn per example from a seed. */
class AugmentationTest {

  private static final Shape SHAPE = Shape.of(2, 5, 6);

  /** Distinct non-zero pixel values, so every output pixel tells where it came from. */
  private static float[] images(int n) {
    float[] x = new float[n * SHAPE.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
    }
    return x;
  }

  /**
   * Every augmented image is the original shifted by some (dy, dx) within the padding, mirrored
   * or not, with zeros where the shift leaves the image; over many examples every offset and
   * both flips occur.
   */
  @Test
  void eachImageIsAShiftedPossiblyMirroredCopyWithZerosShiftedIn() {
    int n = 400;
    int pad = 2;
    float[] original = images(n);
    float[] x = original.clone();
    int[] ids = new int[n];
    for (int j = 0; j < n; j++) {
      ids[j] = j;
    }
    new Augmentation(pad, true).apply(x, n, SHAPE, ids, 0, 99L, new float[SHAPE.size()]);
    Set<String> seen = new HashSet<>();
    for (int j = 0; j < n; j++) {
      String found = null;
      for (int dy = -pad; dy <= pad && found == null; dy++) {
        for (int dx = -pad; dx <= pad && found == null; dx++) {
          for (boolean flip : new boolean[] {false, true}) {
            if (matches(original, x, j, dy, dx, flip)) {
              found = dy + "," + dx + "," + flip;
              break;
            }
          }
        }
      }
      assertTrue(found != null, "example " + j + " is no shifted copy of its original");
      seen.add(found);
    }
    assertEquals(5 * 5 * 2, seen.size(), "every offset and both flips occur: " + seen);
  }

  private static boolean matches(float[] original, float[] x, int j, int dy, int dx,
      boolean flip) {
    int h = SHAPE.height();
    int w = SHAPE.width();
    int base = j * SHAPE.size();
    for (int c = 0; c < SHAPE.channels(); c++) {
      for (int y = 0; y < h; y++) {
        for (int col = 0; col < w; col++) {
          int sy = y + dy;
          int sx = (flip ? w - 1 - col : col) + dx;
          float expected = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0f
              : original[base + c * h * w + sy * w + sx];
          if (x[base + c * h * w + y * w + col] != expected) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The draw depends on the seed and the example's id only, not on its place in the batch. */
  @Test
  void drawsAreSeededPerExampleAndRepeat() {
    Augmentation aug = new Augmentation(1, true);
    float[] a = images(3);
    float[] b = images(3);
    aug.apply(a, 3, SHAPE, new int[] {7, 8, 9}, 0, 5L, new float[SHAPE.size()]);
    // Same examples in another order and at another offset of the id array.
    float[] reversed = new float[3 * SHAPE.size()];
    for (int j = 0; j < 3; j++) {
      System.arraycopy(b, (2 - j) * SHAPE.size(), reversed, j * SHAPE.size(), SHAPE.size());
    }
    aug.apply(reversed, 3, SHAPE, new int[] {0, 9, 8, 7}, 1, 5L, new float[SHAPE.size()]);
    for (int j = 0; j < 3; j++) {
      for (int i = 0; i < SHAPE.size(); i++) {
        assertEquals(a[j * SHAPE.size() + i], reversed[(2 - j) * SHAPE.size() + i]);
      }
    }
    float[] other = images(3);
    aug.apply(other, 3, SHAPE, new int[] {7, 8, 9}, 0, 6L, new float[SHAPE.size()]);
    assertTrue(!java.util.Arrays.equals(a, other), "another seed draws otherwise");
  }

  @Test
  void noneChangesNothingAndVectorsAreRefused() {
    float[] x = images(2);
    new Augmentation(0, false).apply(x, 2, SHAPE, new int[] {0, 1}, 0, 1L, new float[60]);
    assertArrayEquals(images(2), x);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.builder().input(8).dense(2).build()
            .withAugmentation(new Augmentation(2, false)));
    assertTrue(e.getMessage().contains("data.augment applies to images"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TestData.cnn(3).withAugmentation(new Augmentation(8, false)));
  }

  /** Validation and prediction never augment: the evaluator's figures ignore it. */
  @Test
  void evaluationIsNotAugmented() {
    NetworkSpec plain = TestData.cnn(3);
    NetworkSpec augmented = plain.withAugmentation(new Augmentation(2, true));
    ExampleBlock data = TestData.classification(100, 64, 3, 4L);
    float[] params = plain.initParams(1);
    Metrics a = new LocalEvaluator(plain, data).evaluate(params);
    Metrics b = new LocalEvaluator(augmented, data).evaluate(params);
    assertEquals(a.lossSum, b.lossSum, 0.0);
    assertEquals(a.correct, b.correct);
    float[] x = new float[64];
    for (int i = 0; i < 64; i++) {
      x[i] = i / 64f;
    }
    assertArrayEquals(new GradientStep(plain).predictRaw(params, x, 1).clone(),
        new GradientStep(augmented).predictRaw(params, x, 1).clone());
  }
}
