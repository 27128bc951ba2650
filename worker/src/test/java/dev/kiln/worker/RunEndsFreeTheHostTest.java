package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.activities.BuildHost;
import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.api.ApiChunkTransport;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.build.BuildActivitiesImpl;
import dev.kiln.activities.capacity.BuildSlots;
import dev.kiln.activities.capacity.LoadLimits;
import dev.kiln.activities.capacity.MachineLoad;
import dev.kiln.activities.fetch.FetchActivitiesImpl;
import dev.kiln.activities.fetch.GitFetcher;
import dev.kiln.activities.fetch.RemoteAccess;
import dev.kiln.activities.logs.LogUploader;
import dev.kiln.activities.logs.StepLogs;
import dev.kiln.workflows.KilnSearchAttributes;
import dev.kiln.workflows.Phase;
import dev.kiln.workflows.RebuildRequest;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.activities.GateUpdate;
import dev.kiln.workflows.activities.LedgerActivities;
import dev.kiln.workflows.activities.RunResolved;
import dev.kiln.workflows.activities.RunRestart;
import dev.kiln.workflows.rebuild.RebuildWorkflow;
import dev.kiln.workflows.rebuild.RebuildWorkflowImpl;
import dev.kiln.workflows.repo.RepositoryPolicy;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.workflowservice.v1.TerminateWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.tuning.CompositeTuner;
import io.temporal.worker.tuning.FixedSizeSlotSupplier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build host's slot and workspace never outlive the run that took them by more than a few
 * seconds, whatever the order of events. The real workflow and the real fetch and build activities
 * run on Temporal's in-memory server, with this worker's slot supplier, the host's capacity report
 * and its janitor; the api is a small HTTP server whose ledger is the test's.
 */
class RunEndsFreeTheHostTest {

  /** What the issue allows: the slot free and the workspace gone within this. */
  private static final Duration FREED_WITHIN = Duration.ofSeconds(5);

  @TempDir Path temp;

  private final Set<Long> ended = ConcurrentHashMap.newKeySet();
  private final Set<Long> fetchStarted = ConcurrentHashMap.newKeySet();
  private volatile CountDownLatch fetchMayGoOn = new CountDownLatch(0);
  private volatile CountDownLatch resolvedMayReturn = new CountDownLatch(0);
  private volatile CountDownLatch fetchMayReport = new CountDownLatch(0);
  private final CountDownLatch fetchDone = new CountDownLatch(1);
  private final CountDownLatch resolvedCalled = new CountDownLatch(1);

  private HttpServer api;
  private StepLogs logs;
  private BuildCapacity capacity;
  private BuildSlots slots;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String repo;
  private String sleepingRepo;

  @BeforeEach
  void startHost() throws Exception {
    repo = repository("quick", "compile:\n  - run: echo built\n");
    sleepingRepo = repository("sleeping", "compile:\n  - run: echo compiling; sleep 617\n");
    api = fakeApi();
    KilnApiClient apiClient =
        new KilnApiClient(URI.create("http://127.0.0.1:" + api.getAddress().getPort()), "t");
    logs =
        new StepLogs(new LogUploader(new ApiChunkTransport(apiClient), 1 << 24), Clock.systemUTC());
    BuildHost host =
        new BuildHost(
            "host-a",
            TaskQueues.host("host-a", "p1"),
            temp.resolve("home"),
            Duration.ofSeconds(2),
            2);
    capacity =
        new BuildCapacity(
            host,
            List.of("x86_64"),
            1,
            new LoadLimits(1, 1),
            Duration.ofMinutes(10),
            MachineLoad.ofThisMachine(),
            apiClient,
            List.of(),
            () -> false,
            answer -> {});
    slots = capacity.slots();

    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    for (SearchAttributeKey<?> key : KilnSearchAttributes.ALL) {
      options.registerSearchAttribute(
          key.getName(),
          key.getValueType() == IndexedValueType.INDEXED_VALUE_TYPE_INT
              ? IndexedValueType.INDEXED_VALUE_TYPE_INT
              : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    env =
        TestWorkflowEnvironment.newInstance(
            options
                .setUseTimeskipping(false)
                .setWorkerFactoryOptions(
                    WorkerFactoryOptions.newBuilder()
                        .setWorkerInterceptors(new HoldFetchReport())
                        .build())
                .build());
    client = env.getWorkflowClient();
    Worker control = env.newWorker(TaskQueues.CONTROL);
    control.registerWorkflowImplementationTypes(RebuildWorkflowImpl.class);
    control.registerActivitiesImplementations(new TestLedger());
    Worker fetch =
        env.newWorker(
            TaskQueues.build("x86_64"),
            WorkerOptions.newBuilder()
                .setWorkerTuner(
                    new CompositeTuner(
                        new FixedSizeSlotSupplier<>(10),
                        new BuildSlotSupplier(slots),
                        new FixedSizeSlotSupplier<>(10),
                        new FixedSizeSlotSupplier<>(10)))
                .setMaxHeartbeatThrottleInterval(WorkerRegistrar.FETCH_HEARTBEAT_THROTTLE)
                .build());
    fetch.registerActivitiesImplementations(
        new FetchActivitiesImpl(
            host,
            logs,
            slots,
            this::fetchStarts,
            new GitFetcher(
                host.home(), RepositoryPolicy.of(true, List.of()), RemoteAccess.localOnly())));
    Worker own =
        env.newWorker(
            host.queue(),
            WorkerOptions.newBuilder()
                .setMaxHeartbeatThrottleInterval(WorkerRegistrar.HOST_HEARTBEAT_THROTTLE)
                .build());
    own.registerActivitiesImplementations(new BuildActivitiesImpl(host, logs, apiClient, slots));
    capacity.janitor().removeLeftoversAtStart();
    capacity.start();
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
    capacity.close();
    logs.close();
    api.stop(0);
  }

  @Test
  void cancelledBeforeAHostTookTheFetch() throws Exception {
    WorkflowStub holder = start(1, sleepingRepo);
    awaitCompiling();
    WorkflowStub queued = start(2, repo);
    await().during(Duration.ofSeconds(1)).until(() -> !fetchStarted.contains(2L));

    queued.cancel();
    awaitEnded(queued);
    holder.cancel();
    awaitEnded(holder);

    assertTheHostIsFree();
    assertThat(fetchStarted).as("the queued run never fetched").doesNotContain(2L);
  }

  @Test
  void cancelledWhileTheHostFetches() throws Exception {
    fetchMayGoOn = new CountDownLatch(1);
    WorkflowStub run = start(3, repo);
    await().atMost(Duration.ofSeconds(30)).until(() -> fetchStarted.contains(3L));

    run.cancel();
    fetchMayGoOn.countDown();

    awaitEnded(run);
    assertTheHostIsFree();
  }

  @Test
  void cancelledBetweenFetchAndCompile() throws Exception {
    resolvedMayReturn = new CountDownLatch(1);
    WorkflowStub run = start(4, repo);
    assertThat(resolvedCalled.await(30, TimeUnit.SECONDS)).isTrue();

    run.cancel();
    awaitCancelRequested(4);
    resolvedMayReturn.countDown();

    awaitEnded(run);
    assertTheHostIsFree();
  }

  @Test
  void cancelledAfterTheFetchFinishedButBeforeItsResultWasReported() throws Exception {
    fetchMayReport = new CountDownLatch(1);
    WorkflowStub run = start(5, repo);
    assertThat(fetchDone.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(slots.busy()).as("the fetch kept the slot").isEqualTo(1);

    run.cancel();
    awaitCancelRequested(5);
    fetchMayReport.countDown();

    awaitEnded(run);
    assertTheHostIsFree();
  }

  @Test
  void terminatedAfterTheFetchFinishedButBeforeItsResultWasReported() throws Exception {
    fetchMayReport = new CountDownLatch(1);
    WorkflowStub run = start(6, repo);
    assertThat(fetchDone.await(30, TimeUnit.SECONDS)).isTrue();

    terminate(6);
    ended.add(6L); // what the lane records for a terminated child
    fetchMayReport.countDown(); // its result has nowhere to go: the host learns from the ledger

    assertTheHostIsFree();
  }

  @Test
  void terminatedWhileCompiling() throws Exception {
    start(7, sleepingRepo);
    awaitCompiling();

    terminate(7);
    ended.add(7L);

    assertTheHostIsFree();
  }

  private void assertTheHostIsFree() {
    await()
        .atMost(FREED_WITHIN)
        .pollInterval(Duration.ofMillis(100))
        .pollDelay(Duration.ZERO)
        .untilAsserted(
            () -> {
              assertThat(slots.busy()).as("builds holding the host's slot").isZero();
              assertThat(workspaces()).as("workspaces on disk").isEmpty();
            });
  }

  private WorkflowStub start(long runId, String repository) {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            "RebuildWorkflow",
            WorkflowOptions.newBuilder()
                .setWorkflowId(RebuildWorkflow.workflowId(runId))
                .setTaskQueue(TaskQueues.CONTROL)
                .build());
    stub.start(
        new RebuildRequest(
            runId, repository, "main", "x86_64", null, "normal", null, List.of(), 0));
    return stub;
  }

  private void awaitCompiling() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> slots.busy() == 1 && workspaces().size() == 1 && sleeping());
  }

  /** Whether a {@code sleep 617} of the sleeping repository's compile runs. */
  private static boolean sleeping() {
    return ProcessHandle.allProcesses()
        .anyMatch(p -> p.info().commandLine().orElse("").endsWith("sleep 617"));
  }

  /** Waits until the run's workflow has closed, however it ended. */
  private void awaitEnded(WorkflowStub stub) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              try {
                stub.getResult(1, TimeUnit.SECONDS, Object.class);
              } catch (java.util.concurrent.TimeoutException stillRunning) {
                return false;
              } catch (RuntimeException failedOrCancelled) {
                return true;
              }
              return true;
            });
  }

  /**
   * Waits until the run's workflow has asked Temporal to cancel its activity. Only then may the
   * activity end: the in-memory test server, unlike the real one, refuses a cancel of an activity
   * that completed while the cancelling workflow task was in flight, and the run then hangs.
   */
  private void awaitCancelRequested(long runId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client.fetchHistory(RebuildWorkflow.workflowId(runId)).getEvents().stream()
                    .anyMatch(
                        e ->
                            e.getEventType()
                                == io.temporal.api.enums.v1.EventType
                                    .EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED));
  }

  /** What the Web UI's Terminate does: no workflow code runs afterwards. */
  private void terminate(long runId) {
    env.getWorkflowServiceStubs()
        .blockingStub()
        .terminateWorkflowExecution(
            TerminateWorkflowExecutionRequest.newBuilder()
                .setNamespace(env.getNamespace())
                .setWorkflowExecution(
                    WorkflowExecution.newBuilder()
                        .setWorkflowId(RebuildWorkflow.workflowId(runId))
                        .build())
                .setReason("test")
                .build());
  }

  private List<String> workspaces() throws IOException {
    Path runs = temp.resolve("home/work/runs");
    if (!Files.isDirectory(runs)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      return dirs.map(d -> d.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private void fetchStarts(RunAttempt attempt) {
    fetchStarted.add(attempt.runId());
    try {
      assertThat(fetchMayGoOn.await(30, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String repository(String name, String kilnYaml) throws Exception {
    Path dir = temp.resolve("repos").resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("kiln.yaml"), kilnYaml);
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      PersonIdent author = new PersonIdent("Kiln Test", "test@kiln.dev");
      git.commit().setMessage(name).setAuthor(author).setCommitter(author).call();
    }
    return dir.toUri().toString();
  }

  /**
   * The api's {@code /internal} as far as a build host uses it: log batches are taken, and a host
   * report is answered with the reported runs that the ledger has ended.
   */
  private HttpServer fakeApi() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/internal/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String answer = "{}";
          if (exchange.getRequestURI().getPath().startsWith("/internal/hosts/")) {
            answer =
                "{\"ended\": ["
                    + ended.stream()
                        .filter(id -> body.matches("(?s).*\"runs\":\\[[^\\]]*\\b" + id + "\\b.*"))
                        .map(String::valueOf)
                        .collect(Collectors.joining(","))
                    + "]}";
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    return server;
  }

  /** The ledger on the control queue: a terminal write is what the host report hears of. */
  private final class TestLedger implements LedgerActivities {
    @Override
    public void phaseChanged(long runId, Phase phase) {}

    @Override
    public void resolved(RunResolved resolved) {
      resolvedCalled.countDown();
      try {
        assertThat(resolvedMayReturn.await(30, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void gateChanged(long runId, GateUpdate update) {}

    @Override
    public void restarted(RunRestart restart) {}

    @Override
    public void attemptStarted(long runId, int attempt) {}

    @Override
    public boolean archServed(String arch) {
      return true;
    }

    @Override
    public void requiresLabels(long runId, java.util.List<String> labels) {}

    @Override
    public boolean servedWithLabels(String arch, java.util.List<String> labels) {
      return true;
    }

    @Override
    public boolean finished(long runId, Result result, String failureSummary) {
      return ended.add(runId);
    }

    @Override
    public boolean superseded(long runId, long byRunId) {
      return ended.add(runId);
    }
  }

  /** Holds a finished fetch's result back from Temporal: the worker has it, nobody else does. */
  private final class HoldFetchReport extends WorkerInterceptorBase {
    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
      return new ActivityInboundCallsInterceptorBase(next) {
        private String type;

        @Override
        public void init(io.temporal.activity.ActivityExecutionContext context) {
          type = context.getInfo().getActivityType();
          super.init(context);
        }

        @Override
        public ActivityOutput execute(ActivityInput input) {
          ActivityOutput output = super.execute(input);
          if ("Fetch".equals(type)) {
            fetchDone.countDown();
            try {
              assertThat(fetchMayReport.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return output;
        }
      };
    }
  }
}
