package dev.kiln.activities.process.sandbox;

import dev.kiln.activities.process.HostPrograms;
import dev.kiln.activities.process.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bubblewrap sandbox: each step gets its own pid, ipc, uts and mount namespaces (and network,
 * when its plan says {@code network: false}), a read-only view of the host with KILN_HOME, homes
 * and secrets hidden, its workspace, its run's home and its repository's caches writable, a fresh
 * {@code /tmp}, no capabilities, and a cgroup with its limits.
 *
 * <p>A step's command line is {@code setsid /bin/sh -c <join> kiln-sandbox <join files…> -- bwrap …
 * -- bash -eo pipefail -c <command>}: the little shell puts itself into the step's cgroups ({@link
 * StepCgroup#joinFiles}: v1's {@code tasks}, v2's {@code cgroup.procs}) and then becomes bwrap, so
 * nothing the command starts ever runs outside the step's limits. The step's environment is that of
 * setsid, the shell and bwrap too, which is why a plan may not set what the dynamic loader reads
 * ({@code StepVariableNames}).
 */
public final class BwrapSandbox implements Sandbox {

  /**
   * Joins every cgroup whose join file is named before {@code --}, then execs what follows. {@code
   * 0} is the writer itself: the shell, one thread, writing with its builtin {@code echo} ({@link
   * StepCgroup#joinFiles}). Not {@code $$}: a pid takes the kernel's global lock, {@code 0} into
   * {@code tasks} does not.
   */
  static final String JOIN_CGROUPS =
      "for f; do shift; [ \"$f\" = -- ] && break;"
          + " echo 0 > \"$f\" || { echo \"kiln: cannot join cgroup $f\" >&2; exit 125; }; done;"
          + " exec \"$@\"";

  private static final List<Path> TMP = List.of(Path.of("/tmp"), Path.of("/var/tmp"));

  private final SandboxSettings settings;
  private final Cgroups cgroups; // null with prlimit
  private final RunDirs runDirs;
  private final DependencyCaches caches;
  private final boolean root = Uid.isRoot();

  BwrapSandbox(SandboxSettings settings, Cgroups cgroups) {
    this.settings = settings;
    this.cgroups = cgroups;
    this.runDirs = new RunDirs(settings.kilnHome());
    this.caches = new DependencyCaches(settings.kilnHome());
  }

  @Override
  public String kind() {
    return "bwrap";
  }

  @Override
  public Optional<String> limitsEnforcedBy() {
    return Optional.of(cgroups == null ? "prlimit" : cgroups.description());
  }

  @Override
  public String describe() {
    return "bwrap, limits by "
        + limitsEnforcedBy().orElse("")
        + " (per step at most "
        + settings.maxima().describe()
        + ")";
  }

  /** Deletes run directories whose workspace is gone (a crash came between step and cleanup). */
  void sweep(Path workspaces) {
    runDirs.sweep(workspaces);
  }

  @Override
  public SandboxedStep open(Step step) throws IOException {
    ResourceLimits limits = settings.maxima().cappedBy(step.request());
    Path workspace = step.workspace().toAbsolutePath().normalize();
    Path runHome = runDirs.home(workspace);
    Path stepTmp = runDirs.newStepTmp(workspace);
    StepCgroup cgroup = null;
    try {
      List<Path> readOnly = new ArrayList<>(settings.tools());
      if (step.mirror() != null && Files.isDirectory(step.mirror())) {
        readOnly.add(step.mirror().toAbsolutePath().normalize());
      }
      SandboxLayout layout =
          new SandboxLayout(
              workspace,
              settings.home(),
              runHome,
              stepTmp,
              TMP.stream().filter(Files::isDirectory).toList(),
              settings.hiddenDirectories(),
              settings.hiddenFiles(),
              readOnly,
              caches.forRepository(step.cacheKey()),
              step.request().networkOn());
      cgroup = cgroups == null ? null : cgroups.create(step.name(), limits);
      List<String> prefix = new ArrayList<>(List.of(HostPrograms.SETSID));
      prefix.addAll(limiting(cgroup, limits));
      prefix.addAll(BwrapCommand.of(settings.bwrap(), layout));
      Map<String, String> env = new LinkedHashMap<>();
      env.put("HOME", settings.home().toString());
      env.put("TMPDIR", "/tmp");
      // GNU tar run as root restores the archive's owners, which a sandbox without capabilities
      // cannot do: a plain `tar xf` of any release tarball would fail.
      env.put("TAR_OPTIONS", "--no-same-owner");
      env.putAll(DependencyCaches.environment(settings.home()));
      LimitWatch watch =
          new LimitWatch(
              cgroup,
              limits.memoryBytes(),
              List.of(workspace, runHome, stepTmp),
              limits.diskBytes());
      return new SandboxedStep(
          new Launcher(prefix, true, helperPrefix(cgroup)),
          env,
          limits,
          layout.network(),
          cgroup,
          watch,
          () -> RunDirs.deleteTree(stepTmp));
    } catch (IOException | RuntimeException e) {
      if (cgroup != null) {
        cgroup.close();
      }
      RunDirs.deleteTree(stepTmp);
      throw e;
    }
  }

  /** What gives a helper of the step (its output relay) the step's share of the CPU. */
  private static List<String> helperPrefix(StepCgroup cgroup) {
    if (cgroup == null) {
      return List.of();
    }
    List<String> args = new ArrayList<>(List.of("/bin/sh", "-c", JOIN_CGROUPS, "kiln-output"));
    cgroup.helperJoinFiles().forEach(f -> args.add(f.toString()));
    args.add("--");
    return args;
  }

  /** What puts the step under its limits before bwrap starts. */
  private List<String> limiting(StepCgroup cgroup, ResourceLimits limits) {
    List<String> args = new ArrayList<>();
    if (cgroup != null) {
      args.addAll(List.of("/bin/sh", "-c", JOIN_CGROUPS, "kiln-sandbox"));
      cgroup.joinFiles().forEach(f -> args.add(f.toString()));
      args.add("--");
    } else {
      args.addAll(List.of(HostPrograms.PRLIMIT, "--data=" + limits.memoryBytes()));
      if (!root) {
        args.add("--nproc=" + limits.pids());
      }
      args.add("--");
    }
    return args;
  }

  @Override
  public void forget(Path workspace) {
    runDirs.forget(workspace.toAbsolutePath().normalize());
  }

  @Override
  public void close() {
    if (cgroups != null) {
      cgroups.close();
    }
  }

  @Override
  public String toString() {
    return "bwrap sandbox (" + limitsEnforcedBy().orElse("") + ")";
  }
}
