package dev.kiln.activities.summary;

import dev.kiln.activities.summary.ErrorExcerpt.Kind;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises error lines of the compilers and build tools Kiln detects. Works on one line at a
 * time, already stripped of colour codes; {@link FirstErrorCollector} handles what spans lines
 * (rustc's location, javac's symbol, Gradle's message).
 */
final class ErrorPatterns {

  /** What a later line may add to an error: a detail, rustc's location, Gradle's message. */
  enum Expect {
    DETAIL,
    LOCATION,
    MESSAGE
  }

  /**
   * An error line.
   *
   * @param location {@code file:line[:col]} as printed (not yet relative), or null
   * @param expect what to look for in the next lines
   */
  record Match(Kind kind, String location, String message, Expect expect) {}

  private record Rule(Pattern pattern, Function<Matcher, Match> match) {}

  // A file name must contain '.' or '/': keeps timestamps ("12:30:01: error") from passing as one.
  private static final String FILE = "(?<file>[^\\s:]*[./][^\\s:]*)";

  private static final List<Rule> RULES =
      List.of(
          // Maven re-wraps javac: "[ERROR] /ws/src/Foo.java:[12,5] cannot find symbol".
          rule(
              "^\\[ERROR\\] (?:file:(?://)?)?"
                  + FILE
                  + ":\\[(?<line>\\d+),(?<col>\\d+)\\] (?<msg>.+)$",
              m -> located(m, withErrorWord(m.group("msg")))),
          // javac, gcc, clang, swiftc: "Foo.java:12: error: ...", "foo.c:3:5: fatal error: ...".
          rule(
              "^"
                  + FILE
                  + ":(?<line>\\d+)(?::(?<col>\\d+))?: (?<msg>(?:fatal )?error(?:\\[[\\w-]+\\])?: .+)$",
              m -> located(m, m.group("msg"))),
          // Kotlin: "e: file:///ws/src/Main.kt:3:5 Unresolved reference: x".
          rule(
              "^e: (?:file://)?" + FILE + ":(?<line>\\d+):(?<col>\\d+) (?<msg>.+)$",
              m -> located(m, withErrorWord(m.group("msg")))),
          // TypeScript: "src/a.ts(3,5): error TS2304: Cannot find name 'x'."
          rule(
              "^(?<file>[^\\s(]+)\\((?<line>\\d+),(?<col>\\d+)\\): (?<msg>error TS\\d+: .+)$",
              m -> located(m, m.group("msg"))),
          // Go: "./main.go:5:2: undefined: x" (no "error:" word).
          rule(
              "^(?<file>[^\\s:]+\\.go):(?<line>\\d+)(?::(?<col>\\d+))?: (?<msg>.+)$",
              m -> located(m, m.group("msg"))),
          // GNU ld: "main.c:(.text+0x5): undefined reference to `foo'".
          rule(
              "^(?:\\S*ld: )?" + FILE + ":\\([^)]*\\): (?<msg>undefined reference to .+)$",
              m -> new Match(Kind.COMPILER, m.group("file"), m.group("msg"), Expect.DETAIL)),
          // rustc and cargo ("error[E0425]: ..."), javac without a file ("error: invalid flag").
          // rustc puts the location on the next line (" --> src/main.rs:2:5").
          rule(
              "^(?<msg>(?:fatal )?error(?:\\[[\\w-]+\\])?: (?!could not compile|aborting due to).+)$",
              m -> new Match(Kind.TOOL, null, m.group("msg"), Expect.LOCATION)),
          rule("^(?<msg>\\S*ld: cannot find .+)$", m -> tool(m.group("msg"))),
          rule("^\\[ERROR\\] (?<msg>Failed to execute goal .+)$", m -> tool(m.group("msg"))),
          rule("^npm (?:ERR!|error) (?<msg>(?!A complete log).+)$", m -> tool(m.group("msg"))),
          rule("^\\* What went wrong:$", m -> new Match(Kind.TOOL, null, "", Expect.MESSAGE)),
          rule(
              "^(?<msg>g?make(?:\\[\\d+\\])?: \\*\\*\\* .+)$",
              m -> new Match(Kind.MAKE, null, m.group("msg"), Expect.DETAIL)));

  private static final Pattern RUST_LOCATION =
      Pattern.compile("^\\s*--> (?<file>[^\\s:]+):(?<line>\\d+)(?::(?<col>\\d+))?$");
  private static final Pattern SYMBOL_DETAIL =
      Pattern.compile("^\\s*(?:\\[ERROR\\]\\s+)?(?<detail>symbol:\\s+.+)$");
  private static final Pattern GRADLE_DETAIL = Pattern.compile("^> (?<detail>.+)$");

  /** Lines that say nothing about why a build failed; left out of the output tail. */
  private static final Pattern NOISE =
      Pattern.compile(
          "^\\s*$"
              + "|^\\[(?:INFO|WARNING|WARN|DEBUG)\\]"
              + "|^\\[ERROR\\]\\s*(?:$|-> \\[Help|To see the full stack trace|Re-run Maven"
              + "|For more information about|\\[Help \\d+\\])"
              + "|^[-=*]{3,}\\s*$"
              + "|^(?:BUILD FAILED|BUILD FAILURE|FAILURE: Build failed)"
              + "|^\\* (?:Try|Get more help)|^> (?:Run with --|Get more help)"
              + "|^\\d+ actionable tasks?:"
              + "|^For more information about this error, try `rustc --explain"
              + "|^npm (?:ERR!|error) A complete log");

  private ErrorPatterns() {}

  /** The error this line reports, if it is an error line. */
  /**
   * A cheap test that spares the patterns most lines of a large log: every rule needs a ':' except
   * npm's.
   */
  static boolean mightMatch(String line) {
    return line.indexOf(':') >= 0 || line.startsWith("npm ");
  }

  static Optional<Match> match(String line) {
    for (Rule rule : RULES) {
      Matcher m = rule.pattern.matcher(line);
      if (m.matches()) {
        return Optional.of(rule.match.apply(m));
      }
    }
    return Optional.empty();
  }

  /** rustc's location line ({@code --> src/main.rs:2:5}), as {@code file:line[:col]}. */
  static Optional<String> location(String line) {
    Matcher m = RUST_LOCATION.matcher(line);
    return m.matches() ? Optional.of(location(m)) : Optional.empty();
  }

  /** A detail worth appending: javac's {@code symbol: variable x}, Gradle's {@code > cause}. */
  static Optional<String> detail(String line) {
    Matcher m = SYMBOL_DETAIL.matcher(line);
    if (m.matches()) {
      return Optional.of(m.group("detail").replaceAll("\\s+", " "));
    }
    m = GRADLE_DETAIL.matcher(line);
    return m.matches() ? Optional.of(m.group("detail")) : Optional.empty();
  }

  static boolean isNoise(String line) {
    // Every alternative is anchored at the start: lookingAt spares trying every position.
    return NOISE.matcher(line).lookingAt();
  }

  private static Rule rule(String regex, Function<Matcher, Match> match) {
    return new Rule(Pattern.compile(regex), match);
  }

  private static Match located(Matcher m, String message) {
    return new Match(Kind.COMPILER, location(m), message, Expect.DETAIL);
  }

  // Maven and kotlinc drop the severity word javac and gcc print; put it back for one format.
  private static String withErrorWord(String message) {
    return message.startsWith("error:") ? message : "error: " + message;
  }

  private static Match tool(String message) {
    return new Match(Kind.TOOL, null, message, Expect.DETAIL);
  }

  private static String location(Matcher m) {
    String col = m.group("col");
    return m.group("file") + ":" + m.group("line") + (col == null ? "" : ":" + col);
  }
}
