package dev.kiln.activities.build;

import dev.kiln.activities.logs.StepLog;
import dev.kiln.activities.process.ProcessExit;
import dev.kiln.activities.secrets.SecretMask;
import dev.kiln.activities.summary.CompileErrorExtractor;
import dev.kiln.activities.summary.GateSummary;
import dev.kiln.activities.summary.Summaries;
import dev.kiln.activities.summary.TestFailure;
import dev.kiln.activities.summary.TestReport;
import dev.kiln.activities.summary.TestReportFiles;
import dev.kiln.activities.summary.TestResult;
import dev.kiln.workflows.Durations;
import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.plan.GateSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command's outcome means for its step: whether a compile command failed and the summary the
 * run fails with, a gate's tests and its result. One judgement for a worker's activities and for a
 * local run ({@code kiln run --local}), each writing the same lines into its log.
 */
public final class StepVerdicts {

  private static final Logger log = LoggerFactory.getLogger(StepVerdicts.class);

  private StepVerdicts() {}

  /**
   * A failed compile command.
   *
   * @param summary the run's failure summary, fitted to its length limit
   * @param type the failure's type ({@link FailureTypes})
   */
  public record CompileFailure(String summary, String type) {}

  /**
   * Whether a compile command failed, and why, said in the log.
   *
   * @param mask the step's: its output was masked as printed, but the summary is made of lines
   *     stripped of colour codes and carriage returns, which can join a secret the mask saw apart;
   *     the summary becomes the failure's message, kept in the workflow's history
   */
  public static Optional<CompileFailure> compile(
      CommandRunner.Outcome outcome, SecretMask mask, StepLog stepLog) {
    ProcessExit exit = outcome.exit();
    if (exit.succeeded() && outcome.breach().isEmpty()) {
      return Optional.empty();
    }
    String summary;
    String type;
    if (outcome.breach().isPresent()) {
      summary = "compile killed: " + outcome.breach().get();
      type = FailureTypes.COMPILE_FAILED;
    } else if (exit.timedOut()) {
      summary = "compile timed out after " + Durations.format(outcome.timeout()) + note(outcome);
      type = FailureTypes.TIMED_OUT;
    } else {
      summary =
          mask.text(CompileErrorExtractor.summarize(outcome.errors().result())) + note(outcome);
      type = FailureTypes.COMPILE_FAILED;
    }
    stepLog.kiln(summary + " (" + exit.describe() + ")");
    return Optional.of(new CompileFailure(Summaries.fit(summary), type));
  }

  /**
   * A gate's tests: from its report files when it wrote any, else from what its output said; with
   * the step's secrets masked.
   */
  public static TestReport tests(
      Path workspace,
      GateSpec gate,
      CommandRunner.Outcome outcome,
      SecretMask mask,
      StepLog stepLog) {
    TestReport report = readReports(workspace, gate, mask, stepLog);
    return report.found() ? report : masked(outcome.tests(), mask);
  }

  /** "tests from surefire: 12 passed, 1 failed" in the log, when the gate reported tests. */
  public static void logTests(TestReport report, StepLog stepLog) {
    if (!report.found()) {
      return;
    }
    stepLog.kiln(
        "tests from "
            + report.source()
            + ": "
            + GateSummary.totals(report.counts())
            + (report.tests().size() < report.counts().total()
                ? " (" + report.tests().size() + " listed)"
                : ""));
  }

  /** The gate's result, with its secrets masked in the summary, and its last line in the log. */
  public static GateResult gate(
      GateSpec gate,
      CommandRunner.Outcome outcome,
      TestReport report,
      SecretMask mask,
      StepLog stepLog) {
    GateResult result = masked(judge(gate, outcome, report), mask);
    stepLog.kiln(
        "gate " + gate.name() + (result.passed() ? " passed: " : " failed: ") + result.summary());
    return result;
  }

  /**
   * The gate's report files, masked: the build names them and writes them, so a secret can stand in
   * a path, a test or a parser's message about the content, each of which reaches Kiln's lines.
   */
  private static TestReport readReports(
      Path workspace, GateSpec gate, SecretMask mask, StepLog stepLog) {
    try {
      TestReport report =
          masked(
              TestReportFiles.read(
                  workspace,
                  gate.reports().isEmpty() ? TestReportFiles.conventionalGlobs() : gate.reports()),
              mask);
      report.unreadableReports().forEach(r -> stepLog.kiln("unreadable test report: " + r));
      return report;
    } catch (IOException | RuntimeException e) {
      // A report Kiln cannot make sense of must not fail the gate: its exit status decides.
      log.warn("could not read the test reports of gate {}", gate.name(), e);
      stepLog.kiln(mask.text("could not read test reports: " + e));
      return TestReport.none();
    }
  }

  /**
   * Test results with the step's secrets masked in every text the build controls: names, failure
   * messages and files, and the unreadable reports' paths and parser messages. They go to the api,
   * the log and the summary, and none of them is the output the mask saw: report files are read
   * from disk, and results read from the output come from lines decoded (test2json's JSON escapes)
   * or stripped of colour codes, which can join a secret the raw bytes held apart.
   */
  private static TestReport masked(TestReport report, SecretMask mask) {
    if (mask.isEmpty()) {
      return report;
    }
    List<TestResult> tests =
        report.tests().stream()
            .map(
                t ->
                    new TestResult(
                        mask.text(t.suite()),
                        mask.text(t.name()),
                        t.status(),
                        t.durationMillis(),
                        t.failure() == null
                            ? null
                            : new TestFailure(
                                mask.text(t.failure().message()),
                                mask.text(t.failure().file()),
                                t.failure().line())))
            .toList();
    return new TestReport(
        report.counts(),
        tests,
        report.source(),
        report.reportFiles(),
        report.unreadableReports().stream().map(mask::text).toList());
  }

  /** The gate's result with its secrets masked in the summary, whatever it was made from. */
  private static GateResult masked(GateResult result, SecretMask mask) {
    if (mask.isEmpty()) {
      return result;
    }
    return new GateResult(
        result.name(), result.passed(), mask.text(result.summary()), result.tests());
  }

  private static GateResult judge(GateSpec gate, CommandRunner.Outcome outcome, TestReport report) {
    var tests = report.found() ? report.counts() : null;
    ProcessExit exit = outcome.exit();
    if (outcome.breach().isPresent()) {
      return new GateResult(gate.name(), false, "killed: " + outcome.breach().get(), tests);
    }
    if (exit.succeeded()) {
      return new GateResult(gate.name(), true, GateSummary.passed(report), tests);
    }
    if (exit.timedOut()) {
      return new GateResult(
          gate.name(),
          false,
          "timed out after " + Durations.format(outcome.timeout()) + note(outcome),
          tests);
    }
    return new GateResult(
        gate.name(),
        false,
        Summaries.fit(
            GateSummary.failed(report, outcome.errors().result(), summaryRoom(gate, outcome))
                + note(outcome)),
        tests);
  }

  /**
   * Room for the gate's summary within the run's: the workflow puts {@code gate <name> failed: }
   * before it, and the note after it.
   */
  private static int summaryRoom(GateSpec gate, CommandRunner.Outcome outcome) {
    int room = Summaries.MAX_LENGTH - ("gate " + gate.name() + " failed: ").length();
    return Math.max(room - note(outcome).length(), 100);
  }

  /** " (process limit 256 reached)" when the step ran into a limit it was not killed for. */
  private static String note(CommandRunner.Outcome outcome) {
    return outcome.note().map(n -> " (" + n + ")").orElse("");
  }
}
