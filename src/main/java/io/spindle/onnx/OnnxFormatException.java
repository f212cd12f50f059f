package io.spindle.onnx;

import io.spindle.io.ModelFormatException;

/** An .onnx file Spindle cannot import: corrupt, hostile, or outside the supported operators. */
public class OnnxFormatException extends ModelFormatException {

  private static final long serialVersionUID = 1L;

  public OnnxFormatException(String message) {
    super(message);
  }
}
