package dev.kiln.api.runs;

import dev.kiln.workflows.RunPriority;
import java.util.List;
import java.util.Objects;

/** A validated request for a run, ready to be recorded as queued. */
public record NewRun(
    String repo,
    String ref,
    String arch,
    String lane,
    String mr,
    RunPriority priority,
    boolean supersede,
    String target,
    List<String> args,
    String idempotencyKey) {

  public NewRun {
    args = args == null ? List.of() : List.copyOf(args);
  }

  /** Whether an earlier run recorded under the same idempotency key asked for the same build. */
  public boolean sameRequestAs(RunRecord run) {
    return repo.equals(run.repo())
        && Objects.equals(ref, run.ref())
        && arch.equals(run.arch())
        && Objects.equals(mr, run.mr())
        && priority.wireName().equals(run.priority())
        && supersede == run.supersede()
        && Objects.equals(target, run.target())
        && args.equals(run.args());
  }
}
