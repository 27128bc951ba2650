package dev.kiln.api.repos;

import dev.kiln.workflows.FairQueues;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import dev.kiln.workflows.repo.RepositoryKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One row of {@code repos}.
 *
 * @param branches the patterns of the branches forge pushes build
 * @param archs the architectures each push builds on; the first is a rebuild's default
 * @param webhookSecret what forges sign their deliveries with (GitHub, Gitea) or send as it is
 *     (GitLab)
 * @param pollInterval {@code null}: the remote is not polled
 * @param supersede per branch pattern, the first match wins; no match: {@code cancel-running}
 * @param fairnessWeight its share of the build queue against other repositories' queued builds
 *     ({@link FairQueues}); 1 unless set
 */
public record RegisteredRepo(
    long id,
    String url,
    List<String> branches,
    List<String> archs,
    RunPriority defaultPriority,
    String webhookSecret,
    Duration pollInterval,
    List<NotifyTarget> notifyTargets,
    List<BranchPolicy> supersede,
    Instant createdAt,
    String createdBy,
    Instant updatedAt,
    double fairnessWeight) {

  public RegisteredRepo {
    branches = List.copyOf(branches);
    archs = List.copyOf(archs);
    notifyTargets = List.copyOf(notifyTargets);
    supersede = List.copyOf(supersede);
  }

  /** A registration with the default fairness weight. */
  public RegisteredRepo(
      long id,
      String url,
      List<String> branches,
      List<String> archs,
      RunPriority defaultPriority,
      String webhookSecret,
      Duration pollInterval,
      List<NotifyTarget> notifyTargets,
      List<BranchPolicy> supersede,
      Instant createdAt,
      String createdBy,
      Instant updatedAt) {
    this(
        id,
        url,
        branches,
        archs,
        defaultPriority,
        webhookSecret,
        pollInterval,
        notifyTargets,
        supersede,
        createdAt,
        createdBy,
        updatedAt,
        FairQueues.DEFAULT_WEIGHT);
  }

  /** Whether forge pushes to {@code branch} build. */
  public boolean builds(String branch) {
    return BranchPatterns.matchesAny(branches, branch);
  }

  /**
   * The policy of {@code branch}'s runs: the first pattern that matches it decides. The default
   * branch ({@code null}, a rebuild without a ref) matches only patterns that match the empty name
   * ({@code *}, {@code **}).
   */
  public SupersedePolicy policyFor(String branch) {
    String name = branch == null ? "" : branch;
    return supersede.stream()
        .filter(p -> BranchPatterns.matches(p.branches(), name))
        .findFirst()
        .map(p -> SupersedePolicy.fromWireName(p.policy()))
        .orElse(SupersedePolicy.CANCEL_RUNNING);
  }

  /** The form repository URLs are compared in ({@link RepositoryKey}). */
  public static String key(String url) {
    return RepositoryKey.of(url);
  }
}
