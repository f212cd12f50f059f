package io.spindle.onnx;

import io.spindle.onnx.proto.OnnxProto.NodeProto;

/**
 * The 2-D window attributes Conv, MaxPool and AveragePool share: kernel_shape, strides, pads
 * (symmetric only: Spindle pads top = bottom and left = right), dilations of 1, no auto_pad and
 * floor rounding (ceil_mode 0).
 */
record Windows2D(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {

  /** Largest kernel, stride or padding accepted (far beyond any real image). */
  static final long MAX = 1 << 16;

  static Windows2D read(ImportGraph.Attributes a, long[] kernelDefault) {
    long[] k = a.ints("kernel_shape", 2, kernelDefault);
    if (k == null) {
      throw a.unsupported("kernel_shape", "(missing)", "a 2-D kernel_shape");
    }
    long[] s = a.ints("strides", 2, new long[] {1, 1});
    long[] p = a.ints("pads", 4, new long[] {0, 0, 0, 0});
    long[] d = a.ints("dilations", 2, new long[] {1, 1});
    String autoPad = a.s("auto_pad", "NOTSET");
    if (!autoPad.equals("NOTSET") && !(autoPad.equals("VALID") && p[0] == 0 && p[1] == 0
        && p[2] == 0 && p[3] == 0)) {
      throw a.unsupported("auto_pad", autoPad, "NOTSET with explicit pads");
    }
    if (d[0] != 1 || d[1] != 1) {
      throw a.unsupported("dilations", "[" + d[0] + ", " + d[1] + "]", "dilations [1, 1]");
    }
    if (a.i("ceil_mode", 0) != 0) {
      throw a.unsupported("ceil_mode", a.i("ceil_mode", 0), "ceil_mode 0 (floor)");
    }
    if (p[0] != p[2] || p[1] != p[3]) {
      throw a.unsupported("pads", "[" + p[0] + ", " + p[1] + ", " + p[2] + ", " + p[3] + "]",
          "symmetric pads [top, left, top, left]");
    }
    return new Windows2D(a.checkedInt("kernel_shape", k[0], 1, MAX),
        a.checkedInt("kernel_shape", k[1], 1, MAX), a.checkedInt("strides", s[0], 1, MAX),
        a.checkedInt("strides", s[1], 1, MAX), a.checkedInt("pads", p[0], 0, MAX),
        a.checkedInt("pads", p[1], 0, MAX));
  }

  /** A pooling node's data input must be [N, C, H, W] and its second output (indices) unused. */
  static void requirePoolingInput(ImportGraph g, NodeProto node) {
    if (g.rank != 4) {
      throw g.error(node, "needs an [N, C, H, W] input, got rank " + g.rank);
    }
    if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()) {
      throw g.error(node, "its second output (indices) is not supported");
    }
  }
}
