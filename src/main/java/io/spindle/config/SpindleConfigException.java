package io.spindle.config;

/**
 * A configuration problem the user must fix, with a one-line message naming the key (as a path
 * such as {@code model.layers[3].unit}) or file, where it was written when known, what is wrong
 * and what is valid. The CLI prints the message alone, without a stack trace.
 */
public class SpindleConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;

  public SpindleConfigException(String message) {
    this(null, message, null);
  }

  public SpindleConfigException(String message, Throwable cause) {
    this(null, message, cause);
  }

  public SpindleConfigException(String key, String message) {
    this(key, message, null);
  }

  public SpindleConfigException(String key, String message, Throwable cause) {
    super(io.spindle.io.OneLine.escapeControls(message), cause);
    this.key = key;
  }

  /** The path of the offending key or section, e.g. {@code model.layers[3].unit}; may be null. */
  public String key() {
    return key;
  }

  /** Wraps an error of the typesafe library, whose messages already name the line. */
  public static SpindleConfigException of(com.typesafe.config.ConfigException e) {
    return new SpindleConfigException(null, oneLine(e.getMessage()), e);
  }

  static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
