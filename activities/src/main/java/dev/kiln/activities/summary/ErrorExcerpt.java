package dev.kiln.activities.summary;

/**
 * The most telling error found in a command's output.
 *
 * <p>Format of {@code text}: for {@link Kind#COMPILER}, {@code <file>:<line>[:<column>]: <message>
 * [(<detail>)]}, with the file relative to the workspace and the message worded as the compiler
 * words it ({@code src/Foo.java:12:5: error: cannot find symbol (symbol: variable x)}, {@code
 * main.go:5:2: undefined: x}); Maven's re-wrapped javac messages get javac's {@code error: } back.
 * For the other kinds, the line(s) as printed, colour codes removed; {@link Kind#OUTPUT_TAIL} joins
 * the last lines with {@code " | "}.
 *
 * @param kind how the excerpt was found, strongest first
 * @param text the excerpt, one line
 */
public record ErrorExcerpt(Kind kind, String text) {

  /** Where an excerpt came from. Earlier constants are stronger evidence and win. */
  public enum Kind {
    /** A compiler or linker error with its source location. */
    COMPILER,
    /** A build tool's own error: Maven's "Failed to execute goal", Gradle's "What went wrong". */
    TOOL,
    /** make's "*** [target] Error N": says which rule failed but not why. */
    MAKE,
    /** No recognised error: the last lines of output. */
    OUTPUT_TAIL
  }
}
