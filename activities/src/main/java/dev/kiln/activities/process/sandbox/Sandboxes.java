package dev.kiln.activities.process.sandbox;

import dev.kiln.activities.process.sandbox.Cgroups.CgroupsUnavailableException;
import dev.kiln.workflows.plan.SandboxRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up a build worker's sandbox, failing closed: a worker that cannot isolate builds refuses to
 * start, naming what is missing, unless its operator chose {@code kiln.worker.sandbox=none}.
 */
public final class Sandboxes {

  private static final Logger log = LoggerFactory.getLogger(Sandboxes.class);

  private static final long PROBE_TIMEOUT_SECONDS = 30;

  /** What {@code kiln.worker.sandbox} says. */
  public enum Mode {
    /** Every build step in a bubblewrap sandbox (the default). */
    BWRAP,
    /** No sandbox: builds see what the worker sees. Only on explicit request. */
    NONE,
    /**
     * The bubblewrap sandbox when it can be set up, else none, with a warning saying why: for a
     * developer's machine (the dev stack), never for a build host.
     */
    AUTO
  }

  private Sandboxes() {}

  /**
   * The sandbox for a worker, proven to work by running one command in it.
   *
   * @param workspaces where the worker's workspaces live; run directories of workspaces no longer
   *     there are deleted
   * @throws SandboxUnavailableException naming each thing missing
   */
  public static Sandbox create(Mode mode, SandboxSettings settings, Path workspaces)
      throws SandboxUnavailableException {
    if (mode == Mode.NONE) {
      log.warn(
          "kiln.worker.sandbox=none: build commands run WITHOUT a sandbox, as this worker's user"
              + " with its view of the machine; they can read its files (the worker token"
              + " included), other runs' workspaces and caches, and outlive their step");
      return Sandbox.none();
    }
    if (mode == Mode.AUTO) {
      try {
        return create(Mode.BWRAP, settings, workspaces);
      } catch (SandboxUnavailableException e) {
        String why = String.join("; ", e.problems());
        log.warn("kiln.worker.sandbox=auto: build commands run WITHOUT a sandbox, because {}", why);
        return Sandbox.unavailable(why);
      }
    }
    List<String> problems = new ArrayList<>();
    if (settings.bwrap() == null) {
      problems.add("bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)");
    }
    Cgroups cgroups = null;
    if (settings.enforcement() == SandboxSettings.Enforcement.CGROUP) {
      try {
        cgroups = Cgroups.detect(settings.workerId());
      } catch (CgroupsUnavailableException e) {
        problems.add(
            "cgroups: "
                + e.getMessage()
                + " (or set kiln.worker.sandbox-limits=prlimit for per-process limits only)");
      }
    }
    if (problems.isEmpty()) {
      BwrapSandbox sandbox = new BwrapSandbox(settings, cgroups);
      probe(sandbox, settings).ifPresent(problems::add);
      if (problems.isEmpty()) {
        sandbox.sweep(workspaces);
        logLimits(sandbox, settings);
        return sandbox;
      }
      sandbox.close();
    } else if (cgroups != null) {
      cgroups.close();
    }
    throw new SandboxUnavailableException(problems);
  }

  /**
   * Runs {@code true} in a real step: namespaces (user namespaces too, when the worker is not
   * root), mounts and cgroups all have to work for it to exit 0.
   */
  private static Optional<String> probe(BwrapSandbox sandbox, SandboxSettings settings) {
    Path workspace = settings.kilnHome().resolve("work").resolve("sandbox-probe").resolve("ws");
    try {
      Files.createDirectories(workspace);
      try (SandboxedStep step =
          sandbox.open(
              new Sandbox.Step(
                  "probe-" + ProcessHandle.current().pid(),
                  workspace,
                  "sandbox-probe",
                  null,
                  SandboxRequest.DEFAULT))) {
        List<String> command = new ArrayList<>(step.launcher().prefix());
        command.addAll(List.of("/bin/sh", "-c", "exit 0"));
        Process process =
            new ProcessBuilder(command)
                .directory(workspace.toFile())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return Optional.of(
              "bwrap did not start a sandbox within " + PROBE_TIMEOUT_SECONDS + " s");
        }
        String output =
            new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
          return Optional.of(
              "bwrap cannot set up a sandbox here (exit "
                  + process.exitValue()
                  + "): "
                  + output
                  + (Uid.isRoot()
                      ? ""
                      : " (unprivileged user namespaces must be allowed: sysctl"
                          + " kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)"));
        }
        return Optional.empty();
      } finally {
        sandbox.forget(workspace);
        RunDirs.deleteTree(workspace.getParent());
        RunDirs.deleteTree(
            new DependencyCaches(settings.kilnHome()).root().resolve("sandbox-probe"));
      }
    } catch (IOException e) {
      return Optional.of("cannot try the sandbox: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while trying the sandbox");
    }
  }

  private static void logLimits(BwrapSandbox sandbox, SandboxSettings settings) {
    ResourceLimits max = settings.maxima();
    if (settings.enforcement() == SandboxSettings.Enforcement.CGROUP) {
      log.info(
          "build sandbox: bwrap {}; limits by {} per step: {}; hidden: {}",
          settings.bwrap(),
          sandbox.limitsEnforcedBy().orElse("?"),
          max.describe(),
          settings.hiddenDirectories());
    } else {
      log.warn(
          "build sandbox: bwrap {}; limits by prlimit only: memory {} per process (RLIMIT_DATA),"
              + " not per step; {}; disk {} by scanning; CPU NOT limited; no peak memory or CPU"
              + " time in run views",
          settings.bwrap(),
          ByteSizes.format(max.memoryBytes()),
          Uid.isRoot()
              ? "processes NOT limited (RLIMIT_NPROC does not apply to root)"
              : max.pids() + " processes per user (RLIMIT_NPROC: the worker's own threads count)",
          ByteSizes.format(max.diskBytes()));
    }
  }

  /** The sandbox cannot be set up; the message names every missing piece. */
  public static final class SandboxUnavailableException extends Exception {

    private final List<String> problems;

    SandboxUnavailableException(List<String> problems) {
      super(
          "the build sandbox cannot be set up: "
              + String.join("; ", problems)
              + ". Fix that, or set kiln.worker.sandbox=none to run builds without isolation");
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }
}
