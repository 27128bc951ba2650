package dev.kiln.api.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * The forges Kiln takes webhooks from: the headers each one names its event, delivery and proof in,
 * and how its payloads say what happened. Gitea's payloads follow GitHub's; Forgejo sends Gitea's.
 */
enum Forge {
  GITHUB("X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"),
  GITLAB("X-Gitlab-Event", "X-Gitlab-Event-UUID", "X-Gitlab-Token"),
  GITEA("X-Gitea-Event", "X-Gitea-Delivery", "X-Gitea-Signature");

  /** What GitLab and Gitea put in {@code after} when a push deleted the branch. */
  static final String NO_COMMIT = "0000000000000000000000000000000000000000";

  static final String BRANCH_PREFIX = "refs/heads/";

  final String eventHeader;
  final String deliveryHeader;
  final String proofHeader;

  Forge(String eventHeader, String deliveryHeader, String proofHeader) {
    this.eventHeader = eventHeader;
    this.deliveryHeader = deliveryHeader;
    this.proofHeader = proofHeader;
  }

  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether {@code proof} (the {@link #proofHeader}) shows the sender knows {@code secret}. */
  boolean verify(String secret, byte[] body, String proof) {
    return switch (this) {
      case GITHUB -> Signatures.github(secret, body, proof);
      case GITLAB -> Signatures.gitlab(secret, proof);
      case GITEA -> Signatures.gitea(secret, body, proof);
    };
  }

  /** The repository URLs the payload gives, whatever its event. */
  List<String> repoUrls(JsonNode payload) {
    List<String> urls = new ArrayList<>();
    if (this == GITLAB) {
      JsonNode project = payload.path("project");
      addText(urls, project, "git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url");
      addText(urls, payload.path("repository"), "git_http_url", "git_ssh_url", "homepage");
    } else {
      JsonNode repository = payload.path("repository");
      addText(urls, repository, "clone_url", "ssh_url", "html_url", "git_url");
    }
    return urls;
  }

  /** What the delivery of event type {@code event} asks for. */
  ForgeEvent event(String event, JsonNode payload) {
    List<String> urls = repoUrls(payload);
    return switch (this) {
      case GITHUB, GITEA -> githubLike(event, payload, urls);
      case GITLAB -> gitlab(event, payload, urls);
    };
  }

  private ForgeEvent githubLike(String event, JsonNode payload, List<String> urls) {
    switch (event) {
      case "push":
        return push(
            urls,
            text(payload, "ref"),
            text(payload, "after"),
            payload.path("deleted").asBoolean(false));
      case "delete":
        if ("branch".equals(text(payload, "ref_type"))) {
          return new ForgeEvent.BranchDeleted(urls, text(payload, "ref"));
        }
        return new ForgeEvent.Ignored(
            urls, "a deleted " + text(payload, "ref_type") + " builds nothing");
      case "pull_request", "pull_request_sync":
        String action = text(payload, "action");
        String mr = text(payload, "number");
        JsonNode head = payload.path("pull_request").path("head");
        return switch (action == null ? "" : action) {
          case "opened", "reopened", "synchronize", "synchronized" ->
              new ForgeEvent.MergeRequestHead(urls, mr, text(head, "sha"), text(head, "ref"));
          case "closed" -> new ForgeEvent.MergeRequestClosed(urls, mr);
          default ->
              new ForgeEvent.Ignored(
                  urls, "pull request action \"" + action + "\" changes no commits");
        };
      default:
        return new ForgeEvent.Ignored(urls, "event \"" + event + "\" is not one Kiln acts on");
    }
  }

  private static ForgeEvent gitlab(String event, JsonNode payload, List<String> urls) {
    switch (event) {
      case "Push Hook":
        String after = text(payload, "after");
        return push(urls, text(payload, "ref"), after, NO_COMMIT.equals(after));
      case "Merge Request Hook":
        JsonNode attributes = payload.path("object_attributes");
        String action = text(attributes, "action");
        String mr = text(attributes, "iid");
        String sha = text(attributes.path("last_commit"), "id");
        String branch = text(attributes, "source_branch");
        return switch (action == null ? "" : action) {
          case "open", "reopen" -> new ForgeEvent.MergeRequestHead(urls, mr, sha, branch);
          // an update without oldrev changed the title, labels, …: no new commits
          case "update" ->
              attributes.hasNonNull("oldrev")
                  ? new ForgeEvent.MergeRequestHead(urls, mr, sha, branch)
                  : new ForgeEvent.Ignored(urls, "merge request update without new commits");
          case "close", "merge" -> new ForgeEvent.MergeRequestClosed(urls, mr);
          default ->
              new ForgeEvent.Ignored(
                  urls, "merge request action \"" + action + "\" changes no commits");
        };
      default:
        return new ForgeEvent.Ignored(urls, "event \"" + event + "\" is not one Kiln acts on");
    }
  }

  private static ForgeEvent push(List<String> urls, String ref, String sha, boolean deleted) {
    if (ref == null || !ref.startsWith(BRANCH_PREFIX)) {
      return new ForgeEvent.Ignored(
          urls, "a push to " + ref + " is not a branch push; tags build nothing");
    }
    String branch = ref.substring(BRANCH_PREFIX.length());
    if (deleted || NO_COMMIT.equals(sha)) {
      return new ForgeEvent.BranchDeleted(urls, branch);
    }
    return new ForgeEvent.Push(urls, branch, sha);
  }

  private static void addText(List<String> urls, JsonNode node, String... fields) {
    for (String field : fields) {
      String value = text(node, field);
      if (value != null && !value.isBlank()) {
        urls.add(value);
      }
    }
  }

  /** The field's value as text ({@code 7} for a number); {@code null} when absent or null. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isValueNode() && !value.isNull() ? value.asString() : null;
  }
}
