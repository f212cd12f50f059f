package io.spindle.config;

/** A configuration problem, with a one-line message naming the key or file and the fix. */
public class SpindleConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public SpindleConfigException(String message) {
    super(message);
  }

  public SpindleConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
