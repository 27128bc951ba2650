package dev.kiln.activities.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.activities.BuildHost;
import dev.kiln.activities.api.ApiChunkTransport;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.logs.LogUploader;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.activities.process.sandbox.ByteSizes;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.Sandbox;
import dev.kiln.activities.process.sandbox.SandboxSettings;
import dev.kiln.activities.process.sandbox.Sandboxes;
import dev.kiln.workflows.FailureTypes;
import dev.kiln.workflows.activities.BuildActivities;
import dev.kiln.workflows.activities.CleanupRequest;
import dev.kiln.workflows.activities.CompileRequest;
import dev.kiln.workflows.activities.GateRequest;
import dev.kiln.workflows.activities.GateResult;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import dev.kiln.workflows.plan.SandboxRequest;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build activities on a host with the real bubblewrap sandbox: limits become precise failure
 * summaries, and what a step used and ran under reaches the api.
 */
class SandboxedBuildActivitiesIT {

  static final ResourceLimits MAXIMA =
      new ResourceLimits(2 * ByteSizes.GIB, 2, 512, 4 * ByteSizes.GIB, Duration.ofMinutes(10));

  @TempDir Path home;
  Path workspace;
  FakeApi api;
  StepLogs logs;
  Sandbox sandbox;
  TestActivityEnvironment env;
  BuildActivities activities;

  @BeforeEach
  void setUp() throws Exception {
    workspace = Files.createDirectories(home.resolve("work/runs/5-1"));
    api = new FakeApi();
    KilnApiClient client = new KilnApiClient(api.url(), "token");
    logs = new StepLogs(new LogUploader(new ApiChunkTransport(client), 1 << 24), Clock.systemUTC());
    sandbox =
        Sandboxes.create(
            Sandboxes.Mode.BWRAP,
            SandboxSettings.forWorker(
                home,
                System.getenv(),
                List.of(),
                List.of(),
                MAXIMA,
                SandboxSettings.Enforcement.CGROUP,
                "activities-it-" + ProcessHandle.current().pid()),
            home.resolve("work/runs"));
    BuildHost host =
        new BuildHost("host-a", "kiln-host-host-a-1", home, Duration.ofSeconds(2), 2, sandbox);
    env = TestActivityEnvironment.newInstance();
    BuildSlots slots = new BuildSlots(1, Duration.ofMinutes(10), Clock.systemUTC(), () -> true);
    env.registerActivitiesImplementations(new BuildActivitiesImpl(host, logs, client, slots));
    activities = env.newActivityStub(BuildActivities.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
    logs.close();
    api.close();
    sandbox.close();
  }

  @Test
  void aCompileOverItsMemoryLimitFailsSayingWhichLimit() {
    SandboxRequest request = new SandboxRequest(128 * ByteSizes.MIB, null, null, null, null);

    assertThatThrownBy(
            () ->
                activities.compile(
                    compile(
                        new CommandStep("head -c 1G /dev/zero | tail > /dev/null", 60), request)))
        .isInstanceOfSatisfying(
            ActivityFailure.class,
            failure -> {
              ApplicationFailure cause = (ApplicationFailure) failure.getCause();
              assertThat(cause.getType()).isEqualTo(FailureTypes.COMPILE_FAILED);
              assertThat(cause.isNonRetryable()).isTrue();
              assertThat(cause.getOriginalMessage())
                  .isEqualTo("compile killed: memory limit 128 MiB exceeded");
            });
  }

  @Test
  void aGateOverItsDiskLimitFailsSayingSo() {
    SandboxRequest request = new SandboxRequest(null, null, null, ByteSizes.GIB, null);
    GateSpec gate =
        new GateSpec("fill", "truncate -s 3G big.img; sleep 30", List.of(), 60, true, request);

    GateResult result =
        activities.gate(
            new GateRequest(
                BuildActivitiesImplTest.RUN, workspace.toString(), gate, Map.of(), 3_000_000));

    assertThat(result.passed()).isFalse();
    assertThat(result.summary()).isEqualTo("killed: workspace exceeded 1 GiB");
  }

  @Test
  void eachStepReportsItsSandboxLimitsAndUsageAndCleanupForgetsTheRunsHome() {
    SandboxRequest request = new SandboxRequest(512 * ByteSizes.MIB, 1.5, null, null, false);

    activities.compile(
        compile(
            new CommandStep("head -c 32M /dev/zero | tail > /dev/null; echo $HOME > home.txt", 60),
            request));
    activities.cleanup(new CleanupRequest(5, workspace.toString()));

    JsonNode reported = api.reports.get("sandbox").get(0);
    assertThat(reported.path("sandbox").asText()).isEqualTo("bwrap");
    JsonNode limits = reported.path("limits");
    assertThat(limits.path("memory_bytes").asLong()).isEqualTo(512 * ByteSizes.MIB);
    assertThat(limits.path("cpus").asDouble()).isEqualTo(1.5);
    assertThat(limits.path("pids").asInt()).isEqualTo(512);
    assertThat(limits.path("disk_bytes").asLong()).isEqualTo(4 * ByteSizes.GIB);
    assertThat(limits.path("timeout_seconds").asLong()).isEqualTo(600);
    assertThat(limits.path("network").asBoolean()).isFalse();
    assertThat(limits.path("enforced_by").asText()).startsWith("cgroup v");
    JsonNode usage = api.reports.get("usage").get(0);
    assertThat(usage.path("step").asText()).isEqualTo("compile");
    assertThat(usage.path("command").asInt()).isZero();
    assertThat(usage.path("peak_memory_bytes").asLong()).isGreaterThan(30 * ByteSizes.MIB);
    assertThat(usage.path("cpu_millis").isNumber()).isTrue();
    assertThat(api.log("kiln"))
        .contains("sandbox: bwrap (cgroup v")
        .contains("memory 512 MiB, 1.5 CPUs, 512 processes, disk 4 GiB; network off")
        .contains("used: peak memory");
    assertThat(home.resolve("work/sandbox/5-1")).doesNotExist();
  }

  private CompileRequest compile(CommandStep step, SandboxRequest request) {
    PipelinePlan plan =
        new PipelinePlan("test plan", List.of(step), List.of(), List.of(), Map.of(), request);
    return new CompileRequest(BuildActivitiesImplTest.RUN, workspace.toString(), plan, 2_000_000);
  }
}
