package dev.kiln.api.notify;

import dev.kiln.api.notify.CommitStatus.State;
import dev.kiln.api.repos.NotifyTarget;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each forge's commit status call, as its API documents it:
 *
 * <ul>
 *   <li>GitHub: {@code POST {base}/repos/{owner}/{repo}/statuses/{sha}} with {@code state}
 *       (pending, success, failure, error), {@code context}, {@code description}, {@code
 *       target_url}; {@code Authorization: Bearer <token>};
 *   <li>Gitea and Forgejo: the same path and body, {@code Authorization: token <token>};
 *   <li>GitLab: {@code POST {base}/projects/{id}/statuses/{sha}} with {@code state} (pending,
 *       running, success, failed, canceled), {@code name}, {@code description}, {@code target_url};
 *       {@code PRIVATE-TOKEN: <token>}. A project path is URL-encoded ({@code group%2Fproject}).
 * </ul>
 */
public final class ForgeStatusRequests {

  private ForgeStatusRequests() {}

  /**
   * @param body the JSON members, in order
   */
  public record Request(String url, Map<String, String> headers, Map<String, String> body) {}

  public static Request of(NotifyTarget target, String sha, CommitStatus status, String runUrl) {
    String base = withoutTrailingSlash(target.url());
    Map<String, String> body = new LinkedHashMap<>();
    body.put("state", state(target.type(), status.state()));
    if (target.type().equals(NotifyTarget.GITLAB)) {
      body.put("name", status.context());
    } else {
      body.put("context", status.context());
    }
    body.put("description", status.description());
    body.put("target_url", runUrl);
    return switch (target.type()) {
      case NotifyTarget.GITHUB ->
          new Request(
              base + "/repos/" + target.repository() + "/statuses/" + sha,
              Map.of(
                  "Authorization",
                  "Bearer " + target.token(),
                  "Accept",
                  "application/vnd.github+json"),
              body);
      case NotifyTarget.GITEA ->
          new Request(
              base + "/repos/" + target.repository() + "/statuses/" + sha,
              Map.of("Authorization", "token " + target.token()),
              body);
      case NotifyTarget.GITLAB ->
          new Request(
              base
                  + "/projects/"
                  + URLEncoder.encode(target.repository(), StandardCharsets.UTF_8)
                  + "/statuses/"
                  + sha,
              Map.of("PRIVATE-TOKEN", target.token()),
              body);
      default -> throw new IllegalArgumentException("not a commit status target: " + target.type());
    };
  }

  /** The forge's spelling of {@code state}. */
  public static String state(String type, State state) {
    if (type.equals(NotifyTarget.GITLAB)) {
      return switch (state) {
        case PENDING -> "pending";
        case SUCCESS -> "success";
        case FAILURE -> "failed";
        case ERROR -> "canceled";
      };
    }
    return state.wireName(); // GitHub's and Gitea's are Kiln's own
  }

  private static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
