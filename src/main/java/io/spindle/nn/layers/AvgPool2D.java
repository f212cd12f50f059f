package io.spindle.nn.layers;

import io.spindle.nn.Layer;
import io.spindle.nn.LayerSpec;
import io.spindle.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Avg pooling over each channel with a window, stride and padding. */
public record AvgPool2D(int sizeH, int sizeW, int strideH, int strideW, int padH, int padW)
    implements LayerSpec {

  public AvgPool2D {
    PoolGeometry.validate(kind(), sizeH, sizeW, strideH, strideW, padH, padW);
  }

  /** A square window whose stride equals its size, the common case. */
  public AvgPool2D(int size) {
    this(size, size, size, size, 0, 0);
  }

  public AvgPool2D withStride(int sh, int sw) {
    return new AvgPool2D(sizeH, sizeW, sh, sw, padH, padW);
  }

  public AvgPool2D withPadding(int ph, int pw) {
    return new AvgPool2D(sizeH, sizeW, strideH, strideW, ph, pw);
  }

  @Override
  public String kind() {
    return "avg-pool";
  }

  @Override
  public Shape outputShape(Shape in) {
    return PoolGeometry.outputShape(kind(), in, sizeH, sizeW, strideH, strideW, padH, padW);
  }

  @Override
  public Layer instantiate(Shape input, int paramOffset) {
    throw new UnsupportedOperationException("avg-pool kernels: in progress");
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("size", List.of(sizeH, sizeW));
    c.put("stride", List.of(strideH, strideW));
    c.put("padding", List.of(padH, padW));
    return c;
  }
}
