package dev.kiln.api.rebuild;

import dev.kiln.api.repos.RegisteredRepo;
import java.util.List;

/**
 * The body of {@code POST /rebuild}. Everything is optional here so that the validator, not
 * Jackson, decides what is missing and says so in words.
 *
 * @param ref branch, tag, full or short sha; the default branch when absent
 * @param arch defaults to a registered repository's first architecture, else to the architecture of
 *     the machine the api runs on
 * @param priority {@code low|normal|high|urgent}, default the registered repository's default
 *     priority, else {@code normal}
 * @param supersede whether a newer run in the same lane cancels this one; default true
 * @param target free text passed to build commands as {@code KILN_TARGET}
 * @param args passed to build commands as {@code KILN_ARGS}
 * @param requires labels the build host must have, e.g. {@code ["jdk21", "big-memory"]}
 */
record RebuildBody(
    String repo,
    String ref,
    String arch,
    String mr,
    String priority,
    Boolean supersede,
    String target,
    List<String> args,
    List<String> requires) {

  /** A body that requires no label. */
  RebuildBody(
      String repo,
      String ref,
      String arch,
      String mr,
      String priority,
      Boolean supersede,
      String target,
      List<String> args) {
    this(repo, ref, arch, mr, priority, supersede, target, args, null);
  }

  /** This body with what it leaves out taken from the repository's registration. */
  RebuildBody withDefaultsOf(RegisteredRepo registered) {
    return new RebuildBody(
        repo,
        ref,
        arch == null ? registered.archs().get(0) : arch,
        mr,
        priority == null ? registered.defaultPriority().wireName() : priority,
        supersede,
        target,
        args,
        requires);
  }
}
