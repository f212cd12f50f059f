package io.spindle.io;

/**
 * Error messages quote what users and files wrote (keys, values, checksums, names). A control
 * character in such text must not break a message's one-line contract, nor let a hostile file
 * forge extra log or terminal lines, so the exceptions shown to users escape them here.
 */
public final class OneLine {

  private OneLine() {}

  /** {@code message} with newline, CR, tab and other control characters written as escapes. */
  public static String escapeControls(String message) {
    if (message == null || message.chars().noneMatch(Character::isISOControl)) {
      return message;
    }
    StringBuilder sb = new StringBuilder(message.length() + 8);
    for (char c : message.toCharArray()) {
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
