package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * CMake: configure a Release build in {@code build/} and build it in parallel; {@code ctest} as the
 * gate only when the top-level CMakeLists.txt enables testing, since ctest in a project without
 * tests reports "No tests were found" and, with newer CMake, fails.
 *
 * <p>CTest 3.21 and later write JUnit XML ({@code --output-junit}) with each test's output, where
 * the test's own failure line is; older ones run as before, without per-test results.
 */
final class CMakeRule implements BuildRule {

  private static final Pattern ENABLES_TESTING =
      Pattern.compile("(?i)\\benable_testing\\s*\\(|\\binclude\\s*\\(\\s*CTest\\s*\\)");

  private static final String REPORTS = PlanDefaults.reportsDir("unit");

  /** The path is absolute because CTest resolves a relative one against the build directory. */
  static final String CTEST =
      "if ctest --help | grep -- --output-junit >/dev/null; then mkdir -p "
          + REPORTS
          + " && ctest --test-dir build --output-on-failure --output-junit \"$PWD/"
          + REPORTS
          + "/ctest.xml\"; else ctest --test-dir build --output-on-failure; fi";

  @Override
  public String lookedFor() {
    return "CMakeLists.txt";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    Optional<String> lists = WorkspaceFiles.read(workspace, "CMakeLists.txt");
    if (lists.isEmpty()) {
      return Optional.empty();
    }
    boolean testing = enablesTesting(lists.get());
    List<GateSpec> gates =
        testing
            ? List.of(PlanDefaults.gate("unit", CTEST, List.of(REPORTS + "/*.xml")))
            : List.of();
    return Optional.of(
        new PipelinePlan(
            "detected CMake: CMakeLists.txt found, "
                + (testing ? "testing enabled, gate ctest" : "testing not enabled, no gate"),
            List.of(
                PlanDefaults.compile(
                    "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release"
                        + " && cmake --build build -j\"$KILN_CPUS\"")),
            List.of(),
            gates,
            Map.of()));
  }

  static boolean enablesTesting(String cmakeLists) {
    return ENABLES_TESTING.matcher(cmakeLists).find();
  }
}
