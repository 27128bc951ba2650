package dev.kiln.api.repos;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/** The JSON of {@code /repos}. */
final class RepoBodies {

  private RepoBodies() {}

  /**
   * {@code POST /repos}; everything but {@code url} optional.
   *
   * @param pollInterval {@code 30s}, {@code 5m}, …; absent or {@code none}: no polling
   * @param fairnessWeight the repository's share of the build queue against others' queued builds,
   *     0.001 to 1000; absent: 1
   */
  record Create(
      String url,
      List<String> branches,
      List<String> archs,
      String defaultPriority,
      String pollInterval,
      List<NotifyTarget> notifyTargets,
      List<BranchPolicy> supersede,
      Double fairnessWeight) {}

  /**
   * {@code PATCH /repos/{id}}: the fields given replace the stored ones; {@code poll_interval:
   * "none"} stops polling.
   *
   * @param rotateWebhookSecret true: a new secret, shown in this answer only
   */
  record Patch(
      String url,
      List<String> branches,
      List<String> archs,
      String defaultPriority,
      String pollInterval,
      List<NotifyTarget> notifyTargets,
      List<BranchPolicy> supersede,
      Boolean rotateWebhookSecret,
      Double fairnessWeight) {}

  /**
   * A registered repository.
   *
   * @param webhookSecret only in the answer that made it (registering, rotating)
   * @param hooks the path of each forge's webhook endpoint, to prefix with Kiln's public URL
   * @param watchSchedule the Temporal Schedule that polls the repository; {@code null} without a
   *     poll interval
   */
  record View(
      long id,
      String url,
      List<String> branches,
      List<String> archs,
      String defaultPriority,
      String pollInterval,
      String watchSchedule,
      List<NotifyTarget> notifyTargets,
      List<BranchPolicy> supersede,
      double fairnessWeight,
      @JsonInclude(JsonInclude.Include.NON_NULL) String webhookSecret,
      Hooks hooks,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String self) {}

  record Hooks(String github, String gitlab, String gitea) {}

  record RepoList(List<View> repos) {}
}
