package dev.kiln.activities.summary;

import dev.kiln.activities.files.WorkspaceFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the report files a gate produced into one {@link TestReport}: JUnit XML (what nearly every
 * runner can write) and Jest's {@code --json} results, told apart by their first character, and
 * Automake's per-test {@code .trs} results, told by their name.
 */
public final class TestReportFiles {

  private static final Logger log = LoggerFactory.getLogger(TestReportFiles.class);

  /** Where Maven's Surefire and Failsafe plugins write reports, in every module. */
  public static final List<String> MAVEN_GLOBS =
      List.of("**/target/surefire-reports/TEST-*.xml", "**/target/failsafe-reports/TEST-*.xml");

  /** Where Gradle's test tasks write reports, in every project and test task. */
  public static final List<String> GRADLE_GLOBS = List.of("**/build/test-results/**/*.xml");

  /** A report larger than this is not read: no runner writes one, a hostile build might. */
  static final long MAX_REPORT_BYTES = 256L << 20;

  private TestReportFiles() {}

  /**
   * Where Automake's test harness ({@code make check}) writes each test's result, next to the test
   * in whichever directory make ran it.
   */
  public static final List<String> AUTOMAKE_GLOBS =
      List.of("**/*" + AutomakeTestLogs.RESULTS_SUFFIX);

  /**
   * The report globs of the build tools Kiln detects, for gates whose plan names none: the files
   * Maven, Gradle and Automake write without being asked, wherever the gate's command ran them from
   * (directly, or through make, just or Task).
   */
  public static List<String> conventionalGlobs() {
    return Stream.of(MAVEN_GLOBS, GRADLE_GLOBS, AUTOMAKE_GLOBS).flatMap(List::stream).toList();
  }

  /** The formats a report file can have, in the order a report's source names them. */
  private enum Format {
    JUNIT("JUnit XML"),
    JEST("Jest JSON"),
    AUTOMAKE("Automake test results");

    private final String label;

    Format(String label) {
      this.label = label;
    }
  }

  /**
   * Reads every file under {@code workspace} matching {@code globs}. Malformed files are skipped
   * and listed in {@link TestReport#unreadableReports()}: one broken report must not hide the
   * others' failures.
   *
   * @param globs workspace-relative; {@code **}{@code /} also matches no directory
   * @throws IllegalArgumentException if a glob is absolute or climbs out with {@code ..}
   * @throws IOException if the workspace cannot be walked
   */
  public static TestReport read(Path workspace, List<String> globs) throws IOException {
    WorkspacePaths paths = new WorkspacePaths(workspace);
    FailureLocator locator = new FailureLocator(paths);
    JUnitXmlParser junit = new JUnitXmlParser(locator);
    JestJsonParser jest = new JestJsonParser(locator, paths);
    AutomakeTestLogs automake = new AutomakeTestLogs(workspace, locator);
    TestTally tally = new TestTally();
    int files = 0;
    Set<Format> formats = EnumSet.noneOf(Format.class);
    List<String> unreadable = new ArrayList<>();
    for (Path relative : WorkspaceFiles.find(workspace, globs)) {
      Path file = workspace.resolve(relative);
      try {
        if (Files.size(file) > MAX_REPORT_BYTES) {
          throw new JUnitXmlParser.MalformedReportException(
              "larger than " + (MAX_REPORT_BYTES >> 20) + " MiB", null);
        }
        if (relative.toString().endsWith(AutomakeTestLogs.RESULTS_SUFFIX)) {
          tally.addAll(automake.parse(relative));
          formats.add(Format.AUTOMAKE);
        } else if (startsWithBrace(file)) {
          tally.addAll(jest.parse(file));
          formats.add(Format.JEST);
        } else {
          tally.addAll(junit.parse(file));
          formats.add(Format.JUNIT);
        }
        files++;
      } catch (IOException | JUnitXmlParser.MalformedReportException e) {
        log.warn("skipping unreadable test report {}: {}", relative, e.getMessage());
        unreadable.add(relative + ": " + firstLine(e.getMessage()));
      }
    }
    if (files == 0) {
      return new TestReport(tally.counts(), List.of(), null, 0, unreadable);
    }
    String source = formats.stream().map(f -> f.label).collect(Collectors.joining(", "));
    TestReport report = tally.toReport(source, files, unreadable);
    if (report.counts().failed() == 0) {
      return report;
    }
    return new TestReport(
        report.counts(),
        JvmSourcePaths.resolve(workspace, report.tests()),
        source,
        files,
        unreadable);
  }

  private static boolean startsWithBrace(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      int b;
      do {
        b = in.read();
      } while (b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0xEF || b == 0xBB
          || b == 0xBF);
      return b == '{';
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.lines().findFirst().orElse("unreadable");
    return Summaries.fit(line, 200);
  }
}
