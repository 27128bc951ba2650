package dev.kiln.api.repos;

import java.util.List;

/**
 * Where a registered repository's run results go.
 *
 * @param type {@code webhook} (a signed JSON post) or the forge's commit status: {@code
 *     github-status}, {@code gitlab-status}, {@code gitea-status}
 * @param url the webhook's address, or the forge's API base URL
 */
public record NotifyTarget(String type, String url) {

  static final List<String> TYPES =
      List.of("webhook", "github-status", "gitlab-status", "gitea-status");
}
