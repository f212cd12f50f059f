package io.spindle.io;

/**
 * A model or checkpoint directory written in a format version this Spindle does not read. Not
 * a sign of corruption: a resume refuses it instead of skipping to an older checkpoint.
 */
public class FormatVersionException extends ModelFormatException {

  private static final long serialVersionUID = 1L;

  public FormatVersionException(String message) {
    super(message);
  }
}
