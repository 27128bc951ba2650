package dev.kiln.activities.summary;

import java.util.regex.Pattern;

/** Terminal escape sequences in build output: compilers colour their errors when they can. */
public final class Ansi {

  // CSI sequences (colours, erase-line: ESC [ ... final byte), OSC sequences (hyperlinks, titles:
  // ESC ] ... BEL or ESC \), and the remaining two-byte escapes.
  private static final Pattern ESCAPES =
      Pattern.compile(
          "\u001B\\[[0-?]*[ -/]*[@-~]|\u001B\\][^\u0007\u001B]*(?:\u0007|\u001B\\\\)|\u001B[@-Z\\\\-_]");

  private Ansi() {}

  /** {@code text} without ANSI escape sequences. */
  public static String strip(String text) {
    return text.indexOf('\u001B') < 0 ? text : ESCAPES.matcher(text).replaceAll("");
  }
}
