package io.spindle.data;

import io.spindle.tensor.Shape;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Training-time image augmentation ({@code data.augment}): a random crop after zero padding
 * ({@code crop-padding} pixels on each side, i.e. a random shift of up to that many pixels with
 * zeros shifted in) and a random horizontal flip. Applied on the executors to each training
 * example of a batch, in place, after gathering; never to validation or prediction.
 *
 * <p>Each example's draw comes from a seed mixed from the batch's seed (itself mixed from the
 * run's seed, the global iteration and the partition, so it fixes the epoch) and the example's
 * index in its partition: runs repeat, and a resumed run draws exactly what the uninterrupted
 * one drew.
 *
 * @param cropPadding zero padding before the crop back to the input size (0 = no crop)
 * @param horizontalFlip mirror left-right with probability 1/2
 */
public record Augmentation(int cropPadding, boolean horizontalFlip) implements Serializable {

  public Augmentation {
    if (cropPadding < 0) {
      throw new IllegalArgumentException("data.augment.crop-padding must be >= 0, got "
          + cropPadding);
    }
  }

  /** Whether this augmentation changes nothing. */
  public boolean isNone() {
    return cropPadding == 0 && !horizontalFlip;
  }

  /** Rejects an input this augmentation cannot transform (vectors), naming the fix. */
  public void check(Shape input) {
    if (!isNone() && input.isVector()) {
      throw new IllegalArgumentException("data.augment applies to images, but the input shape is "
          + input + "; set data.input-shape to [channels, height, width] or turn augmentation off");
    }
    if (cropPadding >= Math.max(input.height(), input.width())) {
      throw new IllegalArgumentException("data.augment.crop-padding " + cropPadding
          + " is not smaller than the image (" + input + "); use a few pixels, e.g. 2 or 4");
    }
  }

  /**
   * Transforms examples {@code x[0 .. n)} (NCHW) in place.
   *
   * @param exampleIds each example's index in its partition (seeds its draw)
   * @param idsFrom where this batch's ids start in {@code exampleIds}
   * @param seed the batch's seed
   * @param scratch a buffer of at least one example, reused
   */
  public void apply(float[] x, int n, Shape shape, int[] exampleIds, int idsFrom, long seed,
      float[] scratch) {
    int channels = shape.channels();
    int h = shape.height();
    int w = shape.width();
    int size = shape.size();
    for (int j = 0; j < n; j++) {
      // One well-mixed 64-bit draw per example (no allocation): 20 bits per offset, 1 for the
      // flip; the modulo bias over 2^20 values is negligible.
      long bits = BatchSchedule.mix(seed, exampleIds[idsFrom + j], 0x5eed_a11dL);
      int range = 2 * cropPadding + 1;
      int dy = (int) ((bits & 0xFFFFF) % range) - cropPadding;
      int dx = (int) (((bits >>> 20) & 0xFFFFF) % range) - cropPadding;
      boolean flip = horizontalFlip && (bits >>> 63) != 0;
      if (dy == 0 && dx == 0 && !flip) {
        continue;
      }
      int base = j * size;
      System.arraycopy(x, base, scratch, 0, size);
      // out(y, x) = padded(y + p + dy, x' + p + dx) with x' mirrored when flipping, i.e. the
      // input pixel (y + dy, x' + dx) or zero outside the image.
      for (int c = 0; c < channels; c++) {
        int plane = c * h * w;
        for (int oy = 0; oy < h; oy++) {
          int sy = oy + dy;
          int row = base + plane + oy * w;
          if (sy < 0 || sy >= h) {
            Arrays.fill(x, row, row + w, 0f);
            continue;
          }
          int srcRow = plane + sy * w;
          for (int ox = 0; ox < w; ox++) {
            int sx = (flip ? w - 1 - ox : ox) + dx;
            x[row + ox] = sx < 0 || sx >= w ? 0f : scratch[srcRow + sx];
          }
        }
      }
    }
  }
}
