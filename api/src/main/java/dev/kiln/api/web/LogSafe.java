package dev.kiln.api.web;

/**
 * User-supplied text made safe for a log line: control characters (newlines, escape sequences, DEL
 * and the C1 range) are written as {@code \n}, {@code \r}, {@code \t} or {@code \u001b}, and a
 * backslash is doubled, so nobody can forge a log line or drive a terminal that shows the log.
 * Overlong text is cut, saying how long it was.
 */
public final class LogSafe {

  /** Longest text logged from one value. */
  public static final int MAX_CHARS = 1000;

  private LogSafe() {}

  public static String escape(String text) {
    if (text == null) {
      return "null";
    }
    if (!needsEscaping(text)) {
      return text;
    }
    int end = Math.min(text.length(), MAX_CHARS);
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        default -> {
          if (isControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (text.length() > end) {
      out.append("… (").append(text.length()).append(" characters)");
    }
    return out.toString();
  }

  private static boolean needsEscaping(String text) {
    if (text.length() > MAX_CHARS) {
      return true;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || isControl(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * C0, DEL, C1, and the Unicode line and paragraph separators and bidirectional overrides, which
   * some viewers render as a line break or use to reorder the text.
   */
  private static boolean isControl(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }
}
