package dev.kiln.activities.process.sandbox;

import dev.kiln.workflows.plan.SandboxRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a build worker runs build commands: {@link BwrapSandbox} (namespaces, read-only host,
 * per-run home, per-repository caches, cgroup limits), or {@link #none()}, the way Kiln ran them
 * before sandboxes, which an operator must choose explicitly ({@code kiln.worker.sandbox=none}).
 */
public interface Sandbox extends AutoCloseable {

  /** What the run view shows as {@code sandbox}: {@code bwrap} or {@code none}. */
  String kind();

  /** What enforces the limits ("cgroup v1", "cgroup v2", "prlimit"); empty without a sandbox. */
  Optional<String> limitsEnforcedBy();

  /** One line for a start-up banner: which sandbox, and why none if none. */
  String describe();

  /** Prepares one step; close the result once the step's processes are gone. */
  SandboxedStep open(Step step) throws IOException;

  /** Deletes what the run of {@code workspace} kept between its steps (its home); at cleanup. */
  void forget(Path workspace);

  /** Removes this worker's cgroups; at shutdown. */
  @Override
  void close();

  /**
   * One build step to sandbox.
   *
   * @param name unique among this worker's steps, for its cgroup ({@code run-42-compile-1})
   * @param workspace the run's checkout
   * @param cacheKey names the repository's dependency caches ({@link DependencyCaches})
   * @param mirror the repository's git mirror, which the workspace borrows objects from and the
   *     build may read, or {@code null}
   * @param request what the plan asked for
   */
  record Step(String name, Path workspace, String cacheKey, Path mirror, SandboxRequest request) {
    public Step {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(workspace, "workspace");
      Objects.requireNonNull(cacheKey, "cacheKey");
      request = SandboxRequest.orDefault(request);
    }
  }

  /** No sandbox: commands run as {@code setsid bash} with the worker's view of the machine. */
  static Sandbox none() {
    return new Unconfined(null);
  }

  /** No sandbox because it could not be set up ({@code kiln.worker.sandbox=auto}). */
  static Sandbox unavailable(String why) {
    return new Unconfined(Objects.requireNonNull(why, "why"));
  }

  /**
   * The sandbox of {@link #none()}.
   *
   * @param unavailable why the bubblewrap sandbox could not be used, or {@code null} when none was
   *     chosen
   */
  record Unconfined(String unavailable) implements Sandbox {

    @Override
    public String kind() {
      return "none";
    }

    @Override
    public String describe() {
      return unavailable == null
          ? "none (kiln.worker.sandbox=none): builds are NOT isolated"
          : "none: builds are NOT isolated, because " + unavailable;
    }

    @Override
    public Optional<String> limitsEnforcedBy() {
      return Optional.empty();
    }

    @Override
    public SandboxedStep open(Step step) {
      return SandboxedStep.unconfined();
    }

    @Override
    public void forget(Path workspace) {}

    @Override
    public void close() {}
  }
}
