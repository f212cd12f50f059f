package io.spindle.data;

/**
 * A data file that cannot be used as it is: missing, malformed, truncated, hostile or failing its
 * checksum. The message is one line that names the file, the problem and the fix, meant to be
 * shown to the user as is.
 *
 * <p>Unchecked and a subclass of {@link IllegalArgumentException}, so callers that already treat
 * bad input as IllegalArgumentException (the CLI, Spark closures) need nothing extra; genuine I/O
 * failures (a disk error while reading) stay {@link java.io.UncheckedIOException}.
 */
public class DataFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public DataFormatException(String message) {
    super(io.spindle.io.OneLine.escapeControls(message));
  }

  public DataFormatException(String message, Throwable cause) {
    super(io.spindle.io.OneLine.escapeControls(message), cause);
  }
}
