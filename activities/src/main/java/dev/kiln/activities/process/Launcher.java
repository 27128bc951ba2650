package dev.kiln.activities.process;

import java.util.List;
import java.util.Objects;

/**
 * How a command is started: the programs its {@code bash -eo pipefail -c <command>} runs under.
 *
 * @param prefix the command line before {@code bash}; its first program must exec the rest in place
 *     after {@code setsid(2)}, so that the started process leads its own group (pid == pgid)
 * @param pidNamespace whether the prefix puts the command into a pid namespace of its own, which is
 *     then what the runner kills ({@link SandboxTree}) rather than the process group alone
 * @param helperPrefix the command line before a helper the runner starts beside the command (its
 *     {@link OutputRelay}): puts it under the step's limits (its cgroups), so that it competes for
 *     the CPU as part of the build and not as part of the busy worker; its first program must exec
 *     the rest in place. Empty: the helper runs as the worker's child.
 */
public record Launcher(List<String> prefix, boolean pidNamespace, List<String> helperPrefix) {

  /** {@code setsid bash …}: its own process group, nothing else. */
  public static final Launcher PLAIN = new Launcher(List.of(HostPrograms.SETSID), false, List.of());

  public Launcher {
    prefix = List.copyOf(Objects.requireNonNull(prefix, "prefix"));
    helperPrefix = List.copyOf(Objects.requireNonNull(helperPrefix, "helperPrefix"));
    if (prefix.isEmpty() || !prefix.get(0).endsWith("setsid")) {
      throw new IllegalArgumentException("a launcher starts with setsid: " + prefix);
    }
  }
}
