package io.spindle.data;

import io.spindle.tensor.Shape;

/**
 * Decoded images as network input: Spark's image rows (height x width x channels, uint8, in
 * OpenCV's order: B, G, R[, A], or one gray channel) to Spindle's CHW floats, resized to the
 * input shape and scaled to [0, 1] (value / 255).
 *
 * <p>Channel order of the result is R, G, B (then A for 4 channels). Conversions: gray to 3
 * channels repeats the gray value; color to 1 channel is the luma 0.299 R + 0.587 G + 0.114 B
 * (ITU-R BT.601, as PIL's "L"); alpha is dropped for 3 channels and is 1.0 when a 4-channel input
 * has none. Resizing is bilinear with pixel centres aligned (as OpenCV's INTER_LINEAR and PIL's
 * bilinear without antialiasing): fine for modest scale changes; downscale large photos
 * beforehand for best quality.
 */
public final class ImagePixels {

  private ImagePixels() {}

  /** Whether {@code shape} can take images: 1, 3 or 4 channels. */
  public static void checkShape(Shape shape) {
    int c = shape.channels();
    if (c != 1 && c != 3 && c != 4) {
      throw new IllegalArgumentException("images become [channels, height, width] with 1 (gray),"
          + " 3 (RGB) or 4 (RGBA) channels; data.input-shape " + shape + " has " + c);
    }
  }

  /**
   * Writes one image into {@code out[offset, offset + shape.size())} as CHW floats.
   *
   * @param data h x w x nChannels bytes, row-major, channels B, G, R[, A] or gray
   */
  public static void toChw(byte[] data, int h, int w, int nChannels, Shape shape, float[] out,
      int offset) {
    if (h <= 0 || w <= 0 || (nChannels != 1 && nChannels != 3 && nChannels != 4)
        || data.length < (long) h * w * nChannels) {
      throw new IllegalArgumentException("not a decoded image: " + h + "x" + w + " with "
          + nChannels + " channels in " + data.length + " bytes");
    }
    int oc = shape.channels();
    int oh = shape.height();
    int ow = shape.width();
    int plane = oh * ow;
    double sy = (double) h / oh;
    double sx = (double) w / ow;
    float[] px = new float[4];
    for (int y = 0; y < oh; y++) {
      double fy = clamp((y + 0.5) * sy - 0.5, h - 1);
      int y0 = (int) fy;
      int y1 = Math.min(y0 + 1, h - 1);
      double wy = fy - y0;
      for (int x = 0; x < ow; x++) {
        double fx = clamp((x + 0.5) * sx - 0.5, w - 1);
        int x0 = (int) fx;
        int x1 = Math.min(x0 + 1, w - 1);
        double wx = fx - x0;
        for (int c = 0; c < nChannels; c++) {
          double top = sample(data, w, nChannels, y0, x0, c) * (1 - wx)
              + sample(data, w, nChannels, y0, x1, c) * wx;
          double bottom = sample(data, w, nChannels, y1, x0, c) * (1 - wx)
              + sample(data, w, nChannels, y1, x1, c) * wx;
          px[c] = (float) ((top * (1 - wy) + bottom * wy) / 255.0);
        }
        int at = offset + y * ow + x;
        convert(px, nChannels, oc, out, at, plane);
      }
    }
  }

  /** One pixel (channels in source order) to the output channels, RGB(A) order. */
  private static void convert(float[] px, int inChannels, int outChannels, float[] out, int at,
      int plane) {
    if (inChannels == 1) {
      for (int c = 0; c < outChannels; c++) {
        out[at + c * plane] = c == 3 ? 1f : px[0];
      }
      return;
    }
    float r = px[2];
    float g = px[1];
    float b = px[0];
    if (outChannels == 1) {
      out[at] = 0.299f * r + 0.587f * g + 0.114f * b;
      return;
    }
    out[at] = r;
    out[at + plane] = g;
    out[at + 2 * plane] = b;
    if (outChannels == 4) {
      out[at + 3 * plane] = inChannels == 4 ? px[3] : 1f;
    }
  }

  private static int sample(byte[] data, int w, int nChannels, int y, int x, int c) {
    return data[(y * w + x) * nChannels + c] & 0xFF;
  }

  private static double clamp(double v, int max) {
    return v < 0 ? 0 : Math.min(v, max);
  }
}
