package dev.kiln.activities.summary;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.activities.TestCounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the JUnit XML reports a gate produced into one {@link TestReport}. */
public final class JUnitReports {

  private static final Logger log = LoggerFactory.getLogger(JUnitReports.class);

  /** Where Maven's Surefire and Failsafe plugins write reports, in every module. */
  public static final List<String> MAVEN_GLOBS =
      List.of("**/target/surefire-reports/TEST-*.xml", "**/target/failsafe-reports/TEST-*.xml");

  /** Where Gradle's test tasks write reports, in every project and test task. */
  public static final List<String> GRADLE_GLOBS = List.of("**/build/test-results/**/*.xml");

  private JUnitReports() {}

  /** The report globs of the build tools Kiln detects, for gates whose plan names none. */
  public static List<String> conventionalGlobs() {
    return Stream.concat(MAVEN_GLOBS.stream(), GRADLE_GLOBS.stream()).toList();
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
    int total = 0;
    int failed = 0;
    int skipped = 0;
    int files = 0;
    List<String> failing = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (Path relative : WorkspaceFiles.find(workspace, globs)) {
      try {
        JUnitXmlParser.Suite suite = JUnitXmlParser.parse(workspace.resolve(relative));
        total += suite.total();
        failed += suite.failed();
        skipped += suite.skipped();
        failing.addAll(
            suite
                .failing()
                .subList(
                    0,
                    Math.min(
                        suite.failing().size(),
                        JUnitXmlParser.MAX_FAILING_NAMES - failing.size())));
        files++;
      } catch (IOException | JUnitXmlParser.MalformedReportException e) {
        log.warn("skipping unreadable test report {}: {}", relative, e.getMessage());
        unreadable.add(relative + ": " + firstLine(e.getMessage()));
      }
    }
    return new TestReport(new TestCounts(total, failed, skipped), failing, files, unreadable);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.lines().findFirst().orElse("unreadable");
    return Summaries.fit(line, 200);
  }
}
