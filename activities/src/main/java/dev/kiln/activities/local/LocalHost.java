package dev.kiln.activities.local;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.process.sandbox.RunDirs;
import dev.kiln.activities.process.sandbox.Sandbox;
import dev.kiln.activities.process.sandbox.SandboxDefaults;
import dev.kiln.activities.process.sandbox.SandboxSettings;
import dev.kiln.activities.process.sandbox.Sandboxes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * This machine as a build host for one local run: a scratch home of its own (the workspace, the
 * run's home and caches, the pid files) under the temporary directory, and the sandbox a build
 * worker sets up by default ({@link SandboxDefaults}), which fails closed as a worker does. Closing
 * it removes the sandbox's leftovers and the whole scratch home.
 */
public final class LocalHost implements AutoCloseable {

  /** The environment variable a worker reads {@code kiln.worker.sandbox} from. */
  public static final String SANDBOX_VARIABLE = "KILN_WORKER_SANDBOX";

  /** The environment variable a worker reads {@code kiln.worker.sandbox-limits} from. */
  public static final String SANDBOX_LIMITS_VARIABLE = "KILN_WORKER_SANDBOX_LIMITS";

  private final BuildHost host;
  private final Path workspace;

  private LocalHost(BuildHost host, Path workspace) {
    this.host = host;
    this.workspace = workspace;
  }

  /**
   * Sets the host up in a new scratch home.
   *
   * @param env this process's environment: {@code PATH} (bwrap, the toolchains), and {@value
   *     #SANDBOX_VARIABLE} and {@value #SANDBOX_LIMITS_VARIABLE} as a worker reads them
   * @param withoutSandbox run the commands without any sandbox, whatever {@code env} says
   * @throws Sandboxes.SandboxUnavailableException naming what is missing, as a worker says it
   * @throws IllegalArgumentException a variable's value is not one a worker takes
   */
  public static LocalHost open(Map<String, String> env, boolean withoutSandbox)
      throws IOException, Sandboxes.SandboxUnavailableException {
    Sandboxes.Mode mode =
        withoutSandbox
            ? Sandboxes.Mode.NONE
            : SandboxDefaults.mode(env.getOrDefault(SANDBOX_VARIABLE, SandboxDefaults.SANDBOX));
    SandboxSettings.Enforcement enforcement =
        SandboxDefaults.enforcement(
            env.getOrDefault(SANDBOX_LIMITS_VARIABLE, SandboxDefaults.SANDBOX_LIMITS));
    Path home = Files.createTempDirectory("kiln-local-").toRealPath();
    try {
      Path workspaces = home.resolve("work").resolve("runs");
      Path workspace = Files.createDirectories(workspaces.resolve("local"));
      String id = "local-" + ProcessHandle.current().pid();
      SandboxSettings settings =
          SandboxSettings.forWorker(
              home, env, List.of(), List.of(), SandboxDefaults.maxima(1), enforcement, id);
      Sandbox sandbox = Sandboxes.create(mode, settings, workspaces);
      return new LocalHost(
          new BuildHost(
              "this machine",
              id,
              home,
              SandboxDefaults.gracePeriod(),
              Runtime.getRuntime().availableProcessors(),
              sandbox),
          workspace);
    } catch (IOException | Sandboxes.SandboxUnavailableException | RuntimeException e) {
      RunDirs.deleteTree(home);
      throw e;
    }
  }

  public BuildHost host() {
    return host;
  }

  /** The empty directory the run's working tree goes into. */
  public Path workspace() {
    return workspace;
  }

  @Override
  public void close() {
    try {
      host.sandbox().forget(workspace);
      host.sandbox().close();
    } finally {
      RunDirs.deleteTree(host.home());
    }
  }
}
