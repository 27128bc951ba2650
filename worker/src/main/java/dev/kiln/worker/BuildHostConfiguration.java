package dev.kiln.worker;

import dev.kiln.activities.BuildHost;
import dev.kiln.activities.api.ApiChunkTransport;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.fetch.GitFetcher;
import dev.kiln.activities.fetch.RemoteAccess;
import dev.kiln.activities.logs.LogUploader;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.activities.process.sandbox.Sandbox;
import dev.kiln.activities.process.sandbox.SandboxDefaults;
import dev.kiln.activities.process.sandbox.SandboxSettings;
import dev.kiln.activities.process.sandbox.Sandboxes;
import dev.kiln.workflows.TaskQueues;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class BuildHostConfiguration {

  /** How much log output a worker holds while the api is unreachable before it drops some. */
  private static final long LOG_BUFFER_BYTES = 64L * 1024 * 1024;

  @Bean
  KilnApiClient kilnApiClient(WorkerProperties properties) {
    String token = properties.internal().token();
    if (token == null || token.isBlank()) {
      throw new IllegalStateException(
          "kiln.internal.token is not set: a worker needs the api's worker token"
              + " (the dev stack writes it to $KILN_HOME/worker.token)");
    }
    return new KilnApiClient(properties.api().url(), token);
  }

  @Bean(destroyMethod = "close")
  StepLogs stepLogs(KilnApiClient api) {
    return new StepLogs(
        new LogUploader(new ApiChunkTransport(api), LOG_BUFFER_BYTES), Clock.systemUTC());
  }

  /**
   * This process's identity as a build host. The queue carries a per-process id so that a restarted
   * worker never takes tasks meant for workspaces its previous life held.
   */
  @Bean
  BuildHost buildHost(WorkerProperties properties, Sandbox sandbox) {
    String name = properties.worker().host().isBlank() ? hostname() : properties.worker().host();
    String processId = UUID.randomUUID().toString().substring(0, 8);
    return new BuildHost(
        name,
        TaskQueues.host(name, processId),
        properties.home(),
        properties.worker().gracePeriod(),
        Runtime.getRuntime().availableProcessors(),
        sandbox);
  }

  /**
   * How this worker reaches repositories: the policy the api applies at submit, applied again to
   * every connection, and the repository credentials.
   */
  @Bean(destroyMethod = "close")
  RemoteAccess remoteAccess(WorkerProperties properties) {
    return RemoteAccess.of(
        properties.repos().policy(),
        properties.repos().repositoryCredentials(),
        GitFetcher.DEFAULT_IO_TIMEOUT);
  }

  /**
   * Where this worker runs build commands. A build worker fails closed: it does not start when the
   * sandbox cannot be set up, naming what is missing, unless {@code kiln.worker.sandbox=none}.
   */
  @Bean(destroyMethod = "close")
  Sandbox buildSandbox(WorkerProperties properties, SandboxProperties sandbox) {
    return sandbox(properties, sandbox, System.getenv(), SandboxDefaults.physicalMemory());
  }

  /**
   * The sandbox of a worker with {@code env} on a machine with {@code physicalMemory} bytes: none
   * for a worker without the build role, which runs no build commands.
   *
   * @throws IllegalStateException naming what is missing when the sandbox cannot be set up
   */
  static Sandbox sandbox(
      WorkerProperties properties,
      SandboxProperties sandbox,
      Map<String, String> env,
      long physicalMemory) {
    if (!properties.worker().runsBuilds()) {
      return Sandbox.none();
    }
    int cores = Runtime.getRuntime().availableProcessors();
    SandboxSettings settings =
        SandboxSettings.forWorker(
            properties.home(),
            env,
            sandbox.sandboxHide(),
            sandbox.sandboxTools(),
            sandbox.maxima(properties.worker().effectiveSlots(), cores, physicalMemory),
            sandbox.enforcement(),
            "worker-" + ProcessHandle.current().pid());
    try {
      return Sandboxes.create(
          sandbox.mode(), settings, properties.home().resolve("work").resolve("runs"));
    } catch (Sandboxes.SandboxUnavailableException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
