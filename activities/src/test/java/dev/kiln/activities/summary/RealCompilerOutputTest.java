package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extractor against what real compilers print for real broken sources, built here and now.
 * Absolute workspace paths and colour codes are left in on purpose, as the build log has them.
 */
class RealCompilerOutputTest {

  @TempDir Path workspace;

  @Test
  void javacErrorIsSummarisedWithLocationAndSymbol() throws Exception {
    Path source =
        write(
            "src/demo/Greeter.java",
            "package demo;\n\nclass Greeter {\n  String greet() {\n    return greeting;\n  }\n}\n");
    String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();

    String output = run(Map.of(), javac, "-d", "out", source.toString());

    assertThat(summary(output))
        .isEqualTo(
            "compile failed: src/demo/Greeter.java:5: error: cannot find symbol"
                + " (symbol: variable greeting)");
  }

  @Test
  void gccErrorIsSummarisedDespiteColourCodes() throws Exception {
    assumeTrue(onPath("gcc"), "gcc not installed");
    write("foo.c", "int main(void) {\n  int a = 1;\n  return a + y;\n}\n");

    String output = run(Map.of("LC_ALL", "C"), "gcc", "-fdiagnostics-color=always", "-c", "foo.c");

    assertThat(output).contains("\u001b[");
    assertThat(summary(output))
        .isEqualTo(
            "compile failed: foo.c:3:14: error: 'y' undeclared (first use in this function)");
  }

  @Test
  void gccLinkerErrorNamesTheMissingSymbol() throws Exception {
    assumeTrue(onPath("gcc"), "gcc not installed");
    write("link.c", "int helper(void);\nint main(void) {\n  return helper();\n}\n");

    String output = run(Map.of("LC_ALL", "C"), "gcc", "link.c", "-o", "link");

    assertThat(summary(output))
        .isEqualTo("compile failed: link.c: undefined reference to `helper'");
  }

  @Test
  void goBuildErrorIsSummarisedWithoutTheDotSlash() throws Exception {
    assumeTrue(onPath("go"), "go not installed");
    write("go.mod", "module example.com/broken\n\ngo 1.21\n");
    write("main.go", "package main\n\nfunc main() {\n\t_ = missing\n}\n");
    Map<String, String> env =
        Map.of(
            "GOFLAGS",
            "-mod=mod",
            "GOTOOLCHAIN",
            "local",
            "GOPATH",
            workspace.resolve(".gopath").toString(),
            // Shared across runs under target/: a cold cache costs ten seconds of compiling
            // runtime.
            "GOCACHE",
            toolCache("go-build").toString());

    String output = run(env, "go", "build", "./...");

    assertThat(summary(output)).isEqualTo("compile failed: main.go:4:6: undefined: missing");
  }

  @Test
  void cargoErrorTakesItsLocationFromTheArrowLine() throws Exception {
    assumeTrue(onPath("cargo"), "cargo not installed");
    write("Cargo.toml", "[package]\nname = \"broken\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    write("src/main.rs", "fn main() {\n    let _ = y;\n}\n");
    Map<String, String> env =
        Map.of(
            "CARGO_HOME", workspace.resolve(".cargo-home").toString(),
            "CARGO_TARGET_DIR", workspace.resolve("target").toString());

    String output = run(env, "cargo", "build", "--offline", "--color", "always");

    assertThat(summary(output))
        .isEqualTo(
            "compile failed: src/main.rs:2:13: error[E0425]: cannot find value `y` in this scope");
  }

  @Test
  void makeLineIsTheFallbackWhenNoCompilerSpoke() throws Exception {
    assumeTrue(onPath("make"), "make not installed");
    write("Makefile", "all:\n\t@echo building\n\tfalse\n");

    String output = run(Map.of("LC_ALL", "C"), "make");

    assertThat(summary(output)).isEqualTo("compile failed: make: *** [Makefile:3: all] Error 1");
  }

  @Test
  void compilerErrorUnderRecursiveMakeBeatsMakesOwnLines() throws Exception {
    assumeTrue(onPath("make") && onPath("gcc"), "make or gcc not installed");
    write("Makefile", "all:\n\t$(MAKE) -C lib\n");
    write("lib/Makefile", "all:\n\tgcc -c $(CURDIR)/util.c\n");
    write("lib/util.c", "int util(void) { return undefined_thing; }\n");

    String output = run(Map.of("LC_ALL", "C"), "make");

    assertThat(output).contains("make[1]: ***");
    assertThat(summary(output))
        .isEqualTo(
            "compile failed: lib/util.c:1:25: error: 'undefined_thing' undeclared"
                + " (first use in this function)");
  }

  @Test
  void mavenRunPrefersTheCompilerLineOverBuildFailureNoise() throws Exception {
    assumeTrue(onPath("mvn"), "mvn not installed");
    Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
    Path plugin = m2.resolve("org/apache/maven/plugins/maven-compiler-plugin/3.15.0");
    assumeTrue(
        Files.isDirectory(plugin), "maven-compiler-plugin 3.15.0 not in the local repository");
    write("pom.xml", Files.readString(resource("summary/broken-maven-project/pom.xml")));
    write(
        "src/main/java/demo/Greeter.java",
        "package demo;\n\npublic class Greeter {\n  public String greet() {\n    return greeting;\n  }\n}\n");

    String output = run(Map.of(), "mvn", "-o", "-B", "-Dmaven.repo.local=" + m2, "compile");

    assertThat(output).contains("BUILD FAILURE", "Failed to execute goal");
    assertThat(summary(output))
        .isEqualTo(
            "compile failed: src/main/java/demo/Greeter.java:5:12: error: cannot find symbol"
                + " (symbol: variable greeting)");
  }

  @Test
  void capturedColouredMavenOutputGivesTheSameSummary() throws Exception {
    // Captured from `mvn -o -B -Dstyle.color=always compile` (Maven 3.8.7) on the same project in
    // /tmp/probe/mvn; kept so the Maven case is covered where Maven is not installed.
    String output = Files.readString(resource("summary/maven-compile-failure-color.txt"));

    String summary = new CompileErrorExtractor(Path.of("/tmp/probe/mvn")).summarize(output);

    assertThat(summary)
        .isEqualTo(
            "compile failed: src/main/java/demo/Greeter.java:5:12: error: cannot find symbol"
                + " (symbol: variable greeting)");
  }

  private String summary(String output) {
    return new CompileErrorExtractor(workspace).summarize(output);
  }

  private Path write(String relative, String content) throws IOException {
    Path file = workspace.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  /** Runs a tool in the workspace and returns stdout and stderr merged, as the runner sees them. */
  private String run(Map<String, String> extraEnv, String... command) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(List.of(command))
            .directory(workspace.toFile())
            .redirectErrorStream(true);
    Map<String, String> env = new HashMap<>(extraEnv);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] bytes;
    try (InputStream in = process.getInputStream()) {
      bytes = in.readAllBytes();
    }
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as("the broken build must fail").isNotZero();
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static Path toolCache(String name) throws Exception {
    Path testClasses =
        Path.of(
            RealCompilerOutputTest.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    return Files.createDirectories(testClasses.resolveSibling("tool-caches").resolve(name));
  }

  private static Path resource(String name) throws Exception {
    return Path.of(RealCompilerOutputTest.class.getClassLoader().getResource(name).toURI());
  }
}
