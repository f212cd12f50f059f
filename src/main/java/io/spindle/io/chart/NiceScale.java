package io.spindle.io.chart;

import java.util.Locale;

/**
 * An axis range with "nice" tick marks (steps of 1, 2 or 5 times a power of ten) covering a data
 * range, as chart libraries do, so tick labels are short round numbers.
 */
final class NiceScale {

  final double min;
  final double max;
  final double step;

  private NiceScale(double min, double max, double step) {
    this.min = min;
    this.max = max;
    this.step = step;
  }

  /**
   * A scale covering [lo, hi] with about {@code ticks} ticks, its ends rounded out to whole
   * steps. A degenerate or empty range is widened around its value.
   */
  static NiceScale covering(double lo, double hi, int ticks) {
    if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    double step = niceStep((hi - lo) / Math.max(1, ticks - 1));
    return new NiceScale(Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step);
  }

  /** Integer ticks for epoch axes: steps of 1, 2, 5, 10, ... */
  static NiceScale integers(double lo, double hi, int ticks) {
    double step = Math.max(1, niceStep((hi - lo) / Math.max(1, ticks - 1)));
    return new NiceScale(lo, hi, step);
  }

  /** The same ticks within a narrower range (e.g. accuracy clipped to at most 100%). */
  NiceScale clip(double lo, double hi) {
    return new NiceScale(Math.max(min, lo), Math.min(max, hi), step);
  }

  /** Tick values inside [min, max] at whole multiples of the step. */
  double[] ticks() {
    long first = (long) Math.ceil(min / step - 1e-9);
    long last = (long) Math.floor(max / step + 1e-9);
    int n = (int) Math.max(0, Math.min(1000, last - first + 1));
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = (first + i) * step;
    }
    return out;
  }

  /** A tick label with as many decimals as the step needs ({@code percent}: times 100, "%"). */
  String label(double value, boolean percent) {
    double v = percent ? value * 100 : value;
    double s = percent ? step * 100 : step;
    int decimals = (int) Math.max(0, Math.ceil(-Math.log10(s) - 1e-9));
    if (Math.abs(v) < s * 1e-6) {
      v = 0; // avoid "-0.0"
    }
    return String.format(Locale.ROOT, "%." + decimals + "f", v) + (percent ? "%" : "");
  }

  static double niceStep(double rough) {
    if (!(rough > 0) || !Double.isFinite(rough)) {
      return 1;
    }
    double pow = Math.pow(10, Math.floor(Math.log10(rough)));
    double f = rough / pow;
    double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nice * pow;
  }
}
