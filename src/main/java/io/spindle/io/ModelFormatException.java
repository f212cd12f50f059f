package io.spindle.io;

/** A model or checkpoint directory that cannot be read: corrupt, mismatched or unknown. */
public class ModelFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(OneLine.escapeControls(message));
  }
}
