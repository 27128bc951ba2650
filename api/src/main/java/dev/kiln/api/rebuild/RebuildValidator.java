package dev.kiln.api.rebuild;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import dev.kiln.workflows.submission.LocalSubmissions;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Turns a {@code POST /rebuild} body into a {@link NewRun}, or refuses it with a detail that names
 * the field and the rule. Arch problems are 422 (the request is well-formed, but this Kiln cannot
 * build it); everything else is 400.
 */
@Component
public class RebuildValidator {

  static final int MAX_MR = 64;
  static final int MAX_TARGET = 255;
  static final int MAX_ARGS = 100;
  static final int MAX_ARG = 1024;
  static final int MAX_IDEMPOTENCY_KEY = 255;

  private final List<String> archs;
  private final RepositoryPolicy repositories;
  private final String defaultArch;

  @Autowired
  RebuildValidator(KilnProperties properties) {
    this(properties.archs(), properties.repos().policy(), Architectures.current());
  }

  RebuildValidator(List<String> archs, RepositoryPolicy repositories, String defaultArch) {
    this.archs = archs;
    this.repositories = repositories;
    this.defaultArch = defaultArch;
  }

  NewRun validate(RebuildBody body, String idempotencyKey) {
    String repo = repo(body.repo());
    String ref = ref(body.ref());
    String arch = arch(body.arch());
    RunPriority priority = priority(body.priority());
    String mr = mr(body.mr());
    String target = target(body.target());
    List<String> args = args(body.args());
    String key = idempotencyKey(idempotencyKey);
    boolean supersede = body.supersede() == null || body.supersede();
    List<String> requires = requires(body.requires());
    return new NewRun(
            repo, ref, arch, Lanes.of(repo, ref, arch), mr, priority, supersede, target, args, key)
        .withRequires(requires);
  }

  private static List<String> requires(List<String> requires) {
    try {
      return dev.kiln.workflows.WorkerLabels.check("requires", requires);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  /**
   * A local submission of a directory called {@code name}, checked as a rebuild's arch and priority
   * are; its ref (the snapshot commit) is not known yet and left {@code null}. It builds on its
   * own, never superseding or superseded ({@code LocalSubmissions}).
   */
  public NewRun submission(String name, String requestedArch, String requestedPriority) {
    String repo = LocalSubmissions.repo(name);
    String arch = arch(requestedArch);
    return new NewRun(
        repo,
        null,
        arch,
        LocalSubmissions.lane(repo, arch),
        null,
        priority(requestedPriority),
        false,
        null,
        List.of(),
        null);
  }

  /** The policy the workers apply at fetch: what it refuses here would fail there. */
  private String repo(String repo) {
    if (repo == null) {
      throw ApiException.badRequest("repo is required");
    }
    try {
      return repositories.check(repo).canonical();
    } catch (RepositoryRefusedException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private String ref(String ref) {
    try {
      repositories.checkRef(ref);
      return ref;
    } catch (RepositoryRefusedException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private String arch(String requested) {
    if (requested != null && requested.isBlank()) {
      throw ApiException.badRequest("arch: must not be empty; leave it out for " + defaultArch);
    }
    String arch = requested == null ? defaultArch : Architectures.normalise(requested);
    if (!archs.contains(arch)) {
      String known = String.join(", ", archs);
      throw ApiException.unprocessable(
          requested == null
              ? "arch: no arch given, and this api's own arch "
                  + arch
                  + " is not one Kiln builds for ("
                  + known
                  + "); pass one of those"
              : "arch: \"" + requested + "\" is not one Kiln builds for (" + known + ")");
    }
    return arch;
  }

  private static RunPriority priority(String priority) {
    if (priority == null) {
      return RunPriority.NORMAL;
    }
    return RunPriority.fromWireName(priority)
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "priority: \"" + priority + "\" is not one of " + RunPriority.wireNames()));
  }

  private static String mr(String mr) {
    if (mr == null) {
      return null;
    }
    if (mr.isBlank()) {
      throw ApiException.badRequest("mr: must not be empty");
    }
    if (mr.length() > MAX_MR) {
      throw ApiException.badRequest("mr: longer than " + MAX_MR + " characters");
    }
    if (mr.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest("mr: must not contain control characters");
    }
    return mr;
  }

  private static String target(String target) {
    if (target == null) {
      return null;
    }
    if (target.length() > MAX_TARGET) {
      throw ApiException.badRequest("target: longer than " + MAX_TARGET + " characters");
    }
    if (target.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest("target: must not contain control characters");
    }
    return target;
  }

  private static List<String> args(List<String> args) {
    if (args == null) {
      return List.of();
    }
    if (args.size() > MAX_ARGS) {
      throw ApiException.badRequest("args: more than " + MAX_ARGS + " arguments");
    }
    List<String> checked = new ArrayList<>(args.size());
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg == null) {
        throw ApiException.badRequest("args[" + i + "]: must be a string, not null");
      }
      if (arg.length() > MAX_ARG) {
        throw ApiException.badRequest("args[" + i + "]: longer than " + MAX_ARG + " characters");
      }
      if (arg.codePoints().anyMatch(Character::isISOControl)) {
        throw ApiException.badRequest("args[" + i + "]: must not contain control characters");
      }
      checked.add(arg);
    }
    return checked;
  }

  private static String idempotencyKey(String key) {
    if (key == null) {
      return null;
    }
    if (key.isEmpty()
        || key.length() > MAX_IDEMPOTENCY_KEY
        || key.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
      throw ApiException.badRequest(
          "Idempotency-Key: must be 1 to " + MAX_IDEMPOTENCY_KEY + " printable ASCII characters");
    }
    return key;
  }
}
