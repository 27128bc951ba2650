package dev.kiln.cli;

import java.io.Console;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Whether output goes to a person: colours and progress lines only then. Builds write ANSI escapes
 * into their logs; written to a file or a pipe those are noise, so they are removed there.
 */
public final class Terminal {

  private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;?]*[ -/]*[@-~]");

  private static final String RESET = "\u001b[0m";

  private final boolean interactive;

  public Terminal(boolean interactive) {
    this.interactive = interactive;
  }

  /**
   * A terminal when stdin and stdout are one (what the JVM's console means) and {@code NO_COLOR} is
   * not set (no-color.org).
   */
  public static Terminal detect(Map<String, String> env) {
    String noColor = env.get("NO_COLOR");
    return new Terminal(onTerminal() && (noColor == null || noColor.isEmpty()));
  }

  /**
   * Up to JDK 21 the console is null unless stdin and stdout are a terminal; from JDK 22 on there
   * is always one, and its {@code isTerminal()} (not in Java 17's API, hence reflection) tells.
   */
  public static boolean onTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException beforeJdk22) {
      return true;
    }
  }

  public boolean interactive() {
    return interactive;
  }

  /** A build's log text as it should be shown here. */
  public String log(String text) {
    return interactive ? text : ANSI.matcher(text).replaceAll("");
  }

  public String bold(String text) {
    return paint("1", text);
  }

  public String dim(String text) {
    return paint("2", text);
  }

  /** A result coloured by what it means: passed green, failed red, cancelled/aborted yellow. */
  public String result(String result) {
    return switch (result) {
      case "passed" -> paint("32", result);
      case "failed" -> paint("31", result);
      case "cancelled", "aborted" -> paint("33", result);
      default -> paint("36", result);
    };
  }

  private String paint(String code, String text) {
    return interactive ? "\u001b[" + code + "m" + text + RESET : text;
  }
}
