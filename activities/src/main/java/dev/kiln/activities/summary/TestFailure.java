package dev.kiln.activities.summary;

/**
 * Why one test failed, as a person reads it: the assertion (or panic) line and where it is.
 *
 * @param message one line: the assertion's message with its values ({@code Add(2, 3) = -1, want 5},
 *     {@code assertion `left == right` failed (left: -1, right: 5)}), at most {@link #MAX_MESSAGE}
 *     characters; {@code null} when the runner said nothing
 * @param file workspace-relative where known ({@code src/lib.rs}); a bare file name where the
 *     runner gives no directory (a JVM stack frame's {@code CalcTest.java}); {@code null} when
 *     unknown
 * @param line 1-based; {@code null} when unknown
 */
public record TestFailure(String message, String file, Integer line) {

  /** Long enough for an assertion with its expected and actual values, short enough for a list. */
  public static final int MAX_MESSAGE = 300;

  public TestFailure {
    message = message == null || message.isBlank() ? null : Summaries.fit(message, MAX_MESSAGE);
  }

  /** {@code calc_test.go:7: Add(2, 3) = -1, want 5}, or as much of it as is known. */
  public String describe() {
    String where = file == null ? null : line == null ? file : file + ":" + line;
    if (where == null) {
      return message == null ? "" : message;
    }
    return message == null ? where : where + ": " + message;
  }
}
