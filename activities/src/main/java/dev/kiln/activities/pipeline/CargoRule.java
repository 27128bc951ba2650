package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Cargo: a release build, and {@code cargo test --release} as the gate so the tests reuse the
 * release build instead of compiling everything a second time in the debug profile. {@code
 * --locked} when Cargo.lock is committed, so CI builds exactly what was reviewed. {@code
 * --no-fail-fast} runs every test target even when one fails, so the counts are the whole suite's.
 * Rust's test harness writes structured results only on nightly; the build host reads its regular
 * human output instead.
 *
 * <p>Artifacts are the package's executables, named the way Cargo names them: the package name when
 * {@code src/main.rs} exists, every {@code [[bin]]}, and every {@code src/bin/*.rs}. A glob such as
 * {@code target/release/*} would also stage build scripts' leftovers and {@code .d} files.
 */
final class CargoRule implements BuildRule {

  @Override
  public String lookedFor() {
    return "Cargo.toml";
  }

  @Override
  public Optional<PipelinePlan> plan(Path workspace) throws IOException {
    Optional<String> manifest = WorkspaceFiles.read(workspace, "Cargo.toml");
    if (manifest.isEmpty()) {
      return Optional.empty();
    }
    String locked = WorkspaceFiles.isFile(workspace, "Cargo.lock") ? " --locked" : "";
    Set<String> binaries = binaries(workspace, CargoToml.parse(manifest.get()));
    String origin =
        "detected Cargo: Cargo.toml found, "
            + (binaries.isEmpty()
                ? "no binaries to stage"
                : "staging " + String.join(", ", binaries));
    return Optional.of(
        new PipelinePlan(
            origin,
            List.of(PlanDefaults.compile("cargo build --release" + locked)),
            binaries.stream().map(name -> "target/release/" + name).toList(),
            List.of(
                PlanDefaults.gate(
                    "unit", "cargo test --release --no-fail-fast" + locked, List.of())),
            Map.of()));
  }

  private static Set<String> binaries(Path workspace, CargoToml toml) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    if (toml.packageName() != null && WorkspaceFiles.isFile(workspace, "src/main.rs")) {
      names.add(toml.packageName());
    }
    names.addAll(toml.binNames());
    Path binDir = workspace.resolve("src/bin");
    if (Files.isDirectory(binDir)) {
      try (DirectoryStream<Path> sources = Files.newDirectoryStream(binDir)) {
        for (Path source : sources) {
          names.addAll(binaryName(source));
        }
      }
    }
    return names;
  }

  /** {@code src/bin/tool.rs} and {@code src/bin/tool/main.rs} both build a binary "tool". */
  private static Set<String> binaryName(Path source) {
    String file = source.getFileName().toString();
    if (Files.isRegularFile(source) && file.endsWith(".rs")) {
      return Set.of(file.substring(0, file.length() - 3));
    }
    if (Files.isRegularFile(source.resolve("main.rs"))) {
      return Set.of(file);
    }
    return Set.of();
  }
}
