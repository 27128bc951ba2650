package dev.kiln.dev;

import java.util.Map;

/** An exit status in words, as Java reports a child's: a signal {@code n} is {@code 128 + n}. */
final class ExitStatus {

  private static final Map<Integer, String> SIGNALS =
      Map.of(
          1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 6, "SIGABRT", 9, "SIGKILL", 11, "SIGSEGV", 15,
          "SIGTERM");

  private ExitStatus() {}

  static String describe(int status) {
    if (status > 128 && status < 128 + 65) {
      int signal = status - 128;
      return "exit status "
          + status
          + ", killed by signal "
          + signal
          + (SIGNALS.containsKey(signal) ? " (" + SIGNALS.get(signal) + ")" : "");
    }
    return "exit status " + status;
  }
}
