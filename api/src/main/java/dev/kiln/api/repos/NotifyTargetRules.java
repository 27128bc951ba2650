package dev.kiln.api.repos;

import dev.kiln.api.web.LogSafe;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a notification target must be. Its URL passes the repository policy's address rule (no
 * loopback, private or link-local address unless {@code kiln.repos.allow-hosts} allows the host),
 * here and again at every delivery, where the connection goes only to the addresses just judged.
 */
public final class NotifyTargetRules {

  static final int MIN_SECRET = 16;
  static final int MAX_SECRET = 256;
  static final int MAX_TOKEN = 1000;
  static final int MAX_URL = 2048;

  /** {@code owner/name} on GitHub and Gitea. */
  private static final Pattern OWNER_NAME = Pattern.compile("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+");

  /** A GitLab project's id, or its path with its groups. */
  private static final Pattern GITLAB_PROJECT =
      Pattern.compile("[0-9]+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+");

  private final RepositoryPolicy policy;

  public NotifyTargetRules(RepositoryPolicy policy) {
    this.policy = policy;
  }

  /** Why {@code target} is refused, as {@code <member>: <rule>}; {@code null} when it is fine. */
  String problem(NotifyTarget target) {
    if (target.type() == null || !NotifyTarget.TYPES.contains(target.type())) {
      return "type: one of " + String.join(", ", NotifyTarget.TYPES);
    }
    String url = urlProblem(target.url());
    if (url != null) {
      return "url: " + url;
    }
    return target.isWebhook() ? webhookProblem(target) : statusProblem(target);
  }

  private static String webhookProblem(NotifyTarget target) {
    if (target.on() != null
        && !target.on().equals(NotifyTarget.ON_CHANGES)
        && !target.on().equals(NotifyTarget.ON_ALL)) {
      return "on: one of " + NotifyTarget.ON_CHANGES + ", " + NotifyTarget.ON_ALL;
    }
    String secret = target.secret();
    if (secret == null || secret.length() < MIN_SECRET || secret.length() > MAX_SECRET) {
      return "secret: "
          + MIN_SECRET
          + " to "
          + MAX_SECRET
          + " characters, the key the receiver checks X-Kiln-Signature with";
    }
    if (target.token() != null || target.repository() != null) {
      return "token: only commit status targets have a token and a repository";
    }
    return null;
  }

  private static String statusProblem(NotifyTarget target) {
    if (target.on() != null) {
      return "on: only webhooks have it; a commit status is posted for every run";
    }
    if (target.secret() != null) {
      return "secret: only webhooks have one; a commit status target has a token";
    }
    String token = target.token();
    if (token == null
        || token.isEmpty()
        || token.length() > MAX_TOKEN
        || token.codePoints().anyMatch(c -> c <= ' ' || c == 0x7f)) {
      return "token: required, the forge's API token (at most "
          + MAX_TOKEN
          + " characters, no whitespace)";
    }
    String repository = target.repository();
    Pattern shape = target.type().equals(NotifyTarget.GITLAB) ? GITLAB_PROJECT : OWNER_NAME;
    if (repository == null
        || !shape.matcher(repository).matches()
        || java.util.Arrays.stream(repository.split("/")).anyMatch(s -> s.matches("\\.+"))) {
      return target.type().equals(NotifyTarget.GITLAB)
          ? "repository: the project's id or its path, as in 42 or group/project"
          : "repository: owner/name, as in octo-org/app";
    }
    return null;
  }

  private String urlProblem(String url) {
    if (url == null || url.isBlank()) {
      return "required";
    }
    if (url.length() > MAX_URL) {
      return "longer than " + MAX_URL + " characters";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "not a valid URL: " + LogSafe.escape(e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "must be an http:// or https:// URL";
    }
    if (uri.getHost() == null) {
      return "has no host";
    }
    if (uri.getRawUserInfo() != null) {
      return "must not contain credentials";
    }
    if (uri.getRawFragment() != null) {
      return "must not have a fragment (#)";
    }
    try {
      policy.addresses(uri.getHost());
    } catch (RepositoryRefusedException e) {
      return e.reason();
    } catch (UnknownHostException e) {
      // judged where it resolves: at each delivery
    }
    return null;
  }
}
