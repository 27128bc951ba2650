package dev.kiln.activities.summary;

import dev.kiln.activities.files.WorkspaceFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JVM stack frame names a source file without its directory ({@code CalcTest.java}); its class's
 * package says where it lives ({@code calc} → {@code …/calc/CalcTest.java}). This finds the
 * workspace path of each failing test's file, in one walk of the workspace, so a summary says
 * {@code src/test/java/calc/CalcTest.java:10} as the compiler would.
 */
final class JvmSourcePaths {

  private static final Set<String> JVM_SOURCES = Set.of(".java", ".kt", ".groovy", ".scala");

  private JvmSourcePaths() {}

  /** {@code tests} with each bare JVM file name replaced by its workspace path, where unique. */
  static List<TestResult> resolve(Path workspace, List<TestResult> tests) throws IOException {
    Map<String, String> globOf = new HashMap<>();
    for (TestResult test : tests) {
      glob(test).ifPresent(glob -> globOf.put(key(test), glob));
    }
    if (globOf.isEmpty()) {
      return tests;
    }
    Map<String, List<String>> found = new HashMap<>();
    for (Path file :
        WorkspaceFiles.find(workspace, List.copyOf(new LinkedHashSet<>(globOf.values())))) {
      String path = file.toString().replace('\\', '/');
      globOf.forEach(
          (key, glob) -> {
            if (path.endsWith(glob.substring("**/".length()))
                && (path.length() == glob.length() - 3
                    || path.charAt(path.length() - glob.length() + 2) == '/')) {
              found.computeIfAbsent(key, k -> new ArrayList<>()).add(path);
            }
          });
    }
    List<TestResult> resolved = new ArrayList<>(tests.size());
    for (TestResult test : tests) {
      List<String> paths =
          globOf.containsKey(key(test)) ? found.getOrDefault(key(test), List.of()) : List.of();
      if (paths.size() == 1) {
        TestFailure f = test.failure();
        resolved.add(
            new TestResult(
                test.suite(),
                test.name(),
                test.status(),
                test.durationMillis(),
                new TestFailure(f.message(), paths.get(0), f.line())));
      } else {
        resolved.add(test);
      }
    }
    return resolved;
  }

  /** {@code **}{@code /calc/CalcTest.java} for a failure in class {@code calc.CalcTest}. */
  private static java.util.Optional<String> glob(TestResult test) {
    TestFailure failure = test.failure();
    if (failure == null || failure.file() == null || failure.file().contains("/")) {
      return java.util.Optional.empty();
    }
    String file = failure.file();
    if (JVM_SOURCES.stream().noneMatch(file::endsWith) || test.suite() == null) {
      return java.util.Optional.empty();
    }
    String suite = test.suite();
    int lastDot = suite.lastIndexOf('.');
    String pkg = lastDot < 0 ? "" : suite.substring(0, lastDot).replace('.', '/');
    if (!pkg.matches("[\\w/$]*")) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("**/" + (pkg.isEmpty() ? "" : pkg + "/") + file);
  }

  private static String key(TestResult test) {
    return test.suite() + "\u0000" + (test.failure() == null ? null : test.failure().file());
  }
}
