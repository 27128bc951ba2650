package dev.kiln.activities.secrets;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.workflows.internal.InternalBodies.SecretsAnswer;
import dev.kiln.workflows.internal.InternalBodies.SecretsRequest;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.List;

/**
 * Fetches the secrets a step names from the api, right before the step runs. The values travel only
 * between the api and this worker: never in an activity's input or result, so never in the
 * workflow's history, which anyone with the Temporal Web UI can read.
 */
public class RunSecrets {

  private final KilnApiClient api;

  public RunSecrets(KilnApiClient api) {
    this.api = api;
  }

  /** What a step gets, or why it gets nothing. */
  public sealed interface Outcome {
    /** The step gets these. */
    record Given(StepSecrets secrets) implements Outcome {}

    /**
     * The run gets no secrets ({@code reason}: a merge request's build, a local run); the step runs
     * without.
     */
    record Withheld(String reason) implements Outcome {
      /** The step's log line: "secrets DEPLOY_TOKEN not given: {@code reason}". */
      public String line(List<String> names) {
        return "secrets " + String.join(", ", names) + " not given: " + reason;
      }
    }

    /** The repository has no secret of these names: the step fails without running. */
    record Missing(List<String> names) implements Outcome {
      /** "secret DEPLOY_TOKEN is not set for this repository". */
      public String summary() {
        return (names.size() == 1 ? "secret " : "secrets ")
            + String.join(", ", names)
            + (names.size() == 1 ? " is" : " are")
            + " not set for this repository";
      }
    }
  }

  /**
   * @param attempt the attempt the step runs for: a superseded one gets no values (the api refuses
   *     it, {@code StaleAttemptException})
   * @param names what the step's {@code secrets:} lists; nothing is asked of the api when empty
   */
  public Outcome fetch(RunAttempt attempt, List<String> names) {
    if (names.isEmpty()) {
      return new Outcome.Given(StepSecrets.NONE);
    }
    SecretsAnswer answer =
        api.post(
            attempt,
            InternalPaths.secrets(attempt.runId()),
            new SecretsRequest(names),
            SecretsAnswer.class);
    if (answer == null) {
      throw new IllegalStateException(
          "the api answered the secrets of run " + attempt.runId() + " empty");
    }
    if (answer.withheld() != null) {
      return new Outcome.Withheld(answer.withheld());
    }
    if (!answer.missing().isEmpty()) {
      return new Outcome.Missing(answer.missing());
    }
    return new Outcome.Given(new StepSecrets(answer.values()));
  }
}
