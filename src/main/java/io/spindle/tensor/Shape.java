package io.spindle.tensor;

import java.io.Serializable;

/**
 * The shape of one example as it flows between layers: channels x height x width (CHW).
 * A batch of n examples is stored NCHW: example after example, each contiguous. Dense
 * activations are {@code Shape(units, 1, 1)}.
 */
public record Shape(int channels, int height, int width) implements Serializable {

  public Shape {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "shape dimensions must be positive, got " + channels + "x" + height + "x" + width);
    }
  }

  public static Shape of(int channels, int height, int width) {
    return new Shape(channels, height, width);
  }

  public static Shape vector(int size) {
    return new Shape(size, 1, 1);
  }

  /** Number of floats one example occupies. */
  public int size() {
    return Math.multiplyExact(Math.multiplyExact(channels, height), width);
  }

  public boolean isVector() {
    return height == 1 && width == 1;
  }

  @Override
  public String toString() {
    return isVector() ? String.valueOf(channels) : channels + "x" + height + "x" + width;
  }
}
