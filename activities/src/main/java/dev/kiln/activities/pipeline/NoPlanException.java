package dev.kiln.activities.pipeline;

import dev.kiln.workflows.FailureTypes;
import java.util.List;

/** The workspace has no {@code kiln.yaml} and no build system Kiln recognizes. */
public final class NoPlanException extends PlanException {

  private final List<String> lookedFor;

  public NoPlanException(List<String> lookedFor) {
    super(
        "no kiln.yaml and no known build system: looked for "
            + String.join(", ", lookedFor)
            + "; add a kiln.yaml");
    this.lookedFor = List.copyOf(lookedFor);
  }

  /** The files searched for, in the order they were tried. */
  public List<String> lookedFor() {
    return lookedFor;
  }

  @Override
  public String failureType() {
    return FailureTypes.NO_PLAN;
  }
}
