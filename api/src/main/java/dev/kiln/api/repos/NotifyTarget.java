package dev.kiln.api.repos;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a registered repository's run results go (docs/http-api.md, "Notifications").
 *
 * @param type {@code webhook} (a signed JSON post) or the forge's commit status: {@code
 *     github-status}, {@code gitlab-status}, {@code gitea-status}
 * @param url the webhook's address, or the forge's API base URL ({@code https://api.github.com},
 *     {@code https://gitlab.example.com/api/v4}, {@code https://gitea.example.com/api/v1})
 * @param repository a commit status target's repository on the forge: {@code owner/name} (GitHub,
 *     Gitea), the project's id or {@code group/project} path (GitLab)
 * @param on a webhook's events: {@code changes} (the default: a lane broke or was fixed) or {@code
 *     all} (every ended run)
 * @param secret a webhook's HMAC key, write-only
 * @param token a forge's API token, write-only
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotifyTarget(
    String type, String url, String repository, String on, String secret, String token) {

  public static final String WEBHOOK = "webhook";
  public static final String GITHUB = "github-status";
  public static final String GITLAB = "gitlab-status";
  public static final String GITEA = "gitea-status";
  public static final String ON_CHANGES = "changes";
  public static final String ON_ALL = "all";

  static final List<String> TYPES = List.of(WEBHOOK, GITHUB, GITLAB, GITEA);

  /** A target as a registration's view and the run view show it: without secret and token. */
  public NotifyTarget withoutSecrets() {
    return new NotifyTarget(type, url, repository, on, null, null);
  }

  @JsonIgnore
  public boolean isWebhook() {
    return WEBHOOK.equals(type);
  }

  /** Whether a webhook is told of every ended run, not only of lanes that broke or were fixed. */
  @JsonIgnore
  public boolean notifiesEveryRun() {
    return ON_ALL.equals(on);
  }

  /**
   * The target's stable name among its repository's targets, from what it addresses (type, URL,
   * repository), not from its place in the list or its secrets: a PATCH that keeps a target keeps
   * its key.
   */
  @JsonIgnore
  public String key() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (type + "\n" + url + "\n" + (repository == null ? "" : repository))
                      .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** This target with another's secret and token where it has none of its own. */
  NotifyTarget keepingSecretsOf(NotifyTarget stored) {
    return new NotifyTarget(
        type,
        url,
        repository,
        on,
        secret == null ? stored.secret() : secret,
        token == null ? stored.token() : token);
  }
}
