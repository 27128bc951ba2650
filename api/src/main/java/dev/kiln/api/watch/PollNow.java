package dev.kiln.api.watch;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.TaskQueues;
import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import dev.kiln.workflows.watch.WatchRequest;
import dev.kiln.workflows.watch.WatchWorkflow;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * {@code POST /repos/{id}/poll}: runs the repository's poll workflow now, the one its schedule
 * runs, and waits for what it started. Two calls at once share one poll ({@code
 * kiln-watch-<id>-now}).
 */
@Service
class PollNow {

  /** Listing a remote takes a moment; one that takes longer is answered 504 while it goes on. */
  static final Duration WAIT = Duration.ofSeconds(60);

  private final RepoStore repos;
  private final WorkflowClient client;
  private final String address;

  PollNow(RepoStore repos, WorkflowClient client, KilnProperties properties) {
    this.repos = repos;
    this.client = client;
    this.address = properties.temporal().address();
  }

  record Polled(RegisteredRepo repo, String workflowId, HeadsAnswer answer) {}

  Polled poll(long repoId, String caller) {
    RegisteredRepo repo =
        repos
            .find(repoId)
            .orElseThrow(
                () -> ApiException.notFound("repository " + repoId + " is not registered"));
    String workflowId = WatchWorkflow.pollNowId(repoId);
    WatchWorkflow workflow =
        client.newWorkflowStub(
            WatchWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowIdConflictPolicy(
                    WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(10))
                .setStaticSummary("poll " + repo.url() + " now")
                .build());
    try {
      WorkflowClient.start(workflow::poll, new WatchRequest(repoId, repo.url(), caller));
      HeadsAnswer answer =
          WorkflowStub.fromTyped(workflow)
              .getResult(WAIT.toSeconds(), TimeUnit.SECONDS, HeadsAnswer.class);
      return new Polled(repo, workflowId, answer);
    } catch (TimeoutException e) {
      throw new ApiException(
              HttpStatus.GATEWAY_TIMEOUT,
              "the poll of repository "
                  + repoId
                  + " is still running after "
                  + WAIT.toSeconds()
                  + " s; what it starts shows in GET /runs")
          .with("workflow_id", workflowId);
    } catch (WorkflowFailedException e) {
      throw new ApiException(
              HttpStatus.BAD_GATEWAY, "the poll of repository " + repoId + " failed: " + reason(e))
          .with("workflow_id", workflowId);
    } catch (WorkflowException | StatusRuntimeException e) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "could not poll repository "
              + repoId
              + ": Temporal at "
              + address
              + " refused or is unreachable");
    }
  }

  /** The activity's own message ("fetch of … failed: could not connect"), not the wrappers'. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ApplicationFailure failure) {
        return failure.getOriginalMessage();
      }
    }
    return e.getMessage();
  }
}
