package dev.kiln.api.support;

import dev.kiln.api.runs.NewRun;
import dev.kiln.workflows.RunPriority;
import java.util.List;

/** Queued-run requests for tests. */
public final class Runs {

  private Runs() {}

  public static NewRun newRun(String repo, String ref, String arch) {
    return newRun(repo, ref, arch, null, null);
  }

  public static NewRun newRun(String repo, String ref, String arch, String mr, String key) {
    return new NewRun(
        repo,
        ref,
        arch,
        repo + "#" + (ref == null ? "HEAD" : ref) + "@" + arch,
        mr,
        RunPriority.NORMAL,
        true,
        null,
        List.of(),
        key);
  }
}
