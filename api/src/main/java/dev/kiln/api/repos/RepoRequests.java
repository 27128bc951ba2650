package dev.kiln.api.repos;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.LogSafe;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.Durations;
import dev.kiln.workflows.FairQueues;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Checks the settings of a registered repository, field by field, with a detail that names the
 * field and the rule: 400, or 422 for an architecture this Kiln does not build for.
 */
@Component
class RepoRequests {

  static final int MAX_PATTERNS = 100;
  static final int MAX_TARGETS = 20;
  static final Duration MIN_POLL = Duration.ofSeconds(10);
  static final Duration MAX_POLL = Duration.ofHours(24);

  /** Every branch, unless the registration names some. */
  static final List<String> ALL_BRANCHES = List.of("**");

  private final List<String> archs;
  private final RepositoryPolicy repositories;
  private final NotifyTargetRules targetRules;
  private final String defaultArch;

  @Autowired
  RepoRequests(KilnProperties properties) {
    this(properties.archs(), properties.repos().policy(), Architectures.current());
  }

  RepoRequests(List<String> archs, RepositoryPolicy repositories, String defaultArch) {
    this.archs = archs;
    this.repositories = repositories;
    this.targetRules = new NotifyTargetRules(repositories);
    this.defaultArch = archs.contains(defaultArch) ? defaultArch : archs.get(0);
  }

  RepoStore.Settings create(RepoBodies.Create body) {
    return new RepoStore.Settings(
        url(body.url()),
        body.branches() == null ? ALL_BRANCHES : branches(body.branches()),
        body.archs() == null ? List.of(defaultArch) : archs(body.archs()),
        body.defaultPriority() == null ? RunPriority.NORMAL : priority(body.defaultPriority()),
        pollInterval(body.pollInterval()),
        body.notifyTargets() == null ? List.of() : notify(body.notifyTargets(), List.of()),
        body.supersede() == null ? List.of() : supersede(body.supersede()),
        body.fairnessWeight() == null
            ? FairQueues.DEFAULT_WEIGHT
            : fairnessWeight(body.fairnessWeight()));
  }

  RepoStore.Settings patch(RegisteredRepo stored, RepoBodies.Patch body) {
    return new RepoStore.Settings(
        body.url() == null ? stored.url() : url(body.url()),
        body.branches() == null ? stored.branches() : branches(body.branches()),
        body.archs() == null ? stored.archs() : archs(body.archs()),
        body.defaultPriority() == null
            ? stored.defaultPriority()
            : priority(body.defaultPriority()),
        body.pollInterval() == null ? stored.pollInterval() : pollInterval(body.pollInterval()),
        body.notifyTargets() == null
            ? stored.notifyTargets()
            : notify(body.notifyTargets(), stored.notifyTargets()),
        body.supersede() == null ? stored.supersede() : supersede(body.supersede()),
        body.fairnessWeight() == null
            ? stored.fairnessWeight()
            : fairnessWeight(body.fairnessWeight()));
  }

  private static double fairnessWeight(double weight) {
    if (!FairQueues.validWeight(weight)) {
      throw ApiException.badRequest(
          "fairness_weight: "
              + plain(weight)
              + " is not between "
              + plain(FairQueues.MIN_WEIGHT)
              + " and "
              + plain(FairQueues.MAX_WEIGHT)
              + " (the repository's share of the build queue; 1 unless set)");
    }
    return weight;
  }

  /** {@code 1000} rather than {@code 1000.0}. */
  private static String plain(double number) {
    return Double.isFinite(number)
        ? java.math.BigDecimal.valueOf(number).stripTrailingZeros().toPlainString()
        : Double.toString(number);
  }

  private String url(String url) {
    if (url == null || url.isBlank()) {
      throw ApiException.badRequest("url is required");
    }
    // The policy POST /rebuild and the workers apply; stored in its canonical form, the form a
    // rebuild's repo takes, so the two find each other.
    try {
      return repositories.check(url).canonical();
    } catch (RepositoryRefusedException e) {
      // the policy names the field "repo", as in POST /rebuild
      throw ApiException.badRequest("url" + e.getMessage().substring("repo".length()));
    }
  }

  private static List<String> branches(List<String> patterns) {
    if (patterns.isEmpty()) {
      throw ApiException.badRequest("branches: name at least one pattern, or leave it out for all");
    }
    return patterns("branches", patterns);
  }

  private static List<String> patterns(String field, List<String> patterns) {
    if (patterns.size() > MAX_PATTERNS) {
      throw ApiException.badRequest(field + ": more than " + MAX_PATTERNS + " patterns");
    }
    for (int i = 0; i < patterns.size(); i++) {
      String problem = BranchPatterns.problem(patterns.get(i));
      if (problem != null) {
        throw ApiException.badRequest(field + "[" + i + "]: " + problem);
      }
    }
    return List.copyOf(patterns);
  }

  private List<String> archs(List<String> requested) {
    if (requested.isEmpty()) {
      throw ApiException.badRequest("archs: name at least one architecture");
    }
    List<String> checked = new ArrayList<>();
    for (String arch : requested) {
      if (arch == null || arch.isBlank()) {
        throw ApiException.badRequest("archs: an architecture must not be empty");
      }
      String normalised = Architectures.normalise(arch);
      if (!archs.contains(normalised)) {
        throw ApiException.unprocessable(
            "archs: \""
                + LogSafe.escape(arch)
                + "\" is not one Kiln builds for ("
                + String.join(", ", archs)
                + ")");
      }
      if (!checked.contains(normalised)) {
        checked.add(normalised);
      }
    }
    return checked;
  }

  private static RunPriority priority(String priority) {
    return RunPriority.fromWireName(priority)
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "default_priority: \""
                        + LogSafe.escape(priority)
                        + "\" is not one of "
                        + RunPriority.wireNames()));
  }

  private static Duration pollInterval(String text) {
    if (text == null || text.equals("none")) {
      return null;
    }
    Duration interval =
        Durations.parse(text)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "poll_interval: \""
                            + LogSafe.escape(text)
                            + "\" is not a duration; "
                            + Durations.HINT
                            + ", or none"));
    if (interval.compareTo(MIN_POLL) < 0 || interval.compareTo(MAX_POLL) > 0) {
      throw ApiException.badRequest(
          "poll_interval: between "
              + Durations.format(MIN_POLL)
              + " and "
              + Durations.format(MAX_POLL));
    }
    return interval;
  }

  private List<NotifyTarget> notify(List<NotifyTarget> targets, List<NotifyTarget> stored) {
    if (targets.size() > MAX_TARGETS) {
      throw ApiException.badRequest("notify_targets: more than " + MAX_TARGETS + " targets");
    }
    List<NotifyTarget> checked = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      NotifyTarget given = targets.get(i);
      String field = "notify_targets[" + i + "]";
      if (given == null) {
        throw ApiException.badRequest(field + ": must be {\"type\": …, \"url\": …}");
      }
      // a target the PATCH keeps (same type, URL and repository) keeps its secret and token
      NotifyTarget target =
          stored.stream()
              .filter(s -> s.key().equals(given.key()))
              .findFirst()
              .map(given::keepingSecretsOf)
              .orElse(given);
      String problem = targetRules.problem(target);
      if (problem != null) {
        throw ApiException.badRequest(field + "." + problem);
      }
      checked.add(target);
    }
    return List.copyOf(checked);
  }

  private static List<BranchPolicy> supersede(List<BranchPolicy> policies) {
    if (policies.size() > MAX_PATTERNS) {
      throw ApiException.badRequest("supersede: more than " + MAX_PATTERNS + " entries");
    }
    for (int i = 0; i < policies.size(); i++) {
      BranchPolicy policy = policies.get(i);
      String field = "supersede[" + i + "]";
      if (policy == null) {
        throw ApiException.badRequest(field + ": must be {\"branches\": …, \"policy\": …}");
      }
      String problem = BranchPatterns.problem(policy.branches());
      if (problem != null) {
        throw ApiException.badRequest(field + ".branches: " + problem);
      }
      if (policy.policy() == null || SupersedePolicy.parse(policy.policy()).isEmpty()) {
        throw ApiException.badRequest(field + ".policy: one of " + SupersedePolicy.wireNames());
      }
    }
    return List.copyOf(policies);
  }
}
