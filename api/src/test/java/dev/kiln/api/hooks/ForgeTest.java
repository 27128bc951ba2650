package dev.kiln.api.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ForgeTest {

  static final String REPO = "https://git.example.com/team/app.git";
  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  static final JsonMapper JSON = JsonMapper.builder().build();

  static JsonNode payload(String fixture, Map<String, String> values) {
    return JSON.readTree(Payloads.of(fixture, values));
  }

  static Map<String, String> push(String branch, String sha) {
    return Map.of("repo", REPO, "branch", branch, "sha", sha);
  }

  static Map<String, String> mr(String action) {
    return Map.of("repo", REPO, "branch", "feature/x", "sha", SHA, "mr", "7", "action", action);
  }

  @Test
  void aPushOfEachForgeBuildsThePushedBranchAtThePushedSha() {
    assertThat(Forge.GITHUB.event("push", payload("github-push", push("main", SHA))))
        .isInstanceOfSatisfying(
            ForgeEvent.Push.class,
            p -> {
              assertThat(p.branch()).isEqualTo("main");
              assertThat(p.sha()).isEqualTo(SHA);
              assertThat(p.repoUrls()).contains(REPO, "git@github.com:octo-org/app.git");
            });
    assertThat(Forge.GITLAB.event("Push Hook", payload("gitlab-push", push("release/1", SHA))))
        .isEqualTo(
            new ForgeEvent.Push(
                Forge.GITLAB.repoUrls(payload("gitlab-push", push("release/1", SHA))),
                "release/1",
                SHA));
    assertThat(Forge.GITEA.event("push", payload("gitea-push", push("main", SHA))))
        .isInstanceOfSatisfying(
            ForgeEvent.Push.class, p -> assertThat(p.repoUrls()).startsWith(REPO));
  }

  @Test
  void aPushOfNoCommitDeletesTheBranchAndATagPushBuildsNothing() {
    String zeros = Forge.NO_COMMIT;
    assertThat(Forge.GITLAB.event("Push Hook", payload("gitlab-push", push("old", zeros))))
        .isInstanceOfSatisfying(
            ForgeEvent.BranchDeleted.class, d -> assertThat(d.branch()).isEqualTo("old"));
    String deleted =
        Payloads.of("github-push", push("old", zeros))
            .replace("\"deleted\": false", "\"deleted\": true");
    assertThat(Forge.GITHUB.event("push", JSON.readTree(deleted)))
        .isInstanceOf(ForgeEvent.BranchDeleted.class);
    String tag =
        Payloads.of("github-push", push("x", SHA)).replace("refs/heads/x", "refs/tags/v1.0");
    assertThat(Forge.GITHUB.event("push", JSON.readTree(tag)))
        .isInstanceOfSatisfying(
            ForgeEvent.Ignored.class, i -> assertThat(i.note()).contains("refs/tags/v1.0"));
  }

  @Test
  void mergeRequestsOpenedUpdatedOrReopenedBuildTheirHeadAndClosedOnesCancel() {
    for (String action : List.of("opened", "synchronize", "reopened")) {
      assertThat(Forge.GITHUB.event("pull_request", payload("github-pull_request", mr(action))))
          .as(action)
          .isInstanceOfSatisfying(
              ForgeEvent.MergeRequestHead.class,
              h -> {
                assertThat(h.mr()).isEqualTo("7");
                assertThat(h.sha()).isEqualTo(SHA);
                assertThat(h.branch()).isEqualTo("feature/x");
              });
    }
    assertThat(
            Forge.GITEA.event(
                "pull_request_sync", payload("gitea-pull_request", mr("synchronized"))))
        .isInstanceOf(ForgeEvent.MergeRequestHead.class);
    for (String action : List.of("open", "update", "reopen")) {
      assertThat(
              Forge.GITLAB.event("Merge Request Hook", payload("gitlab-merge_request", mr(action))))
          .as(action)
          .isInstanceOfSatisfying(
              ForgeEvent.MergeRequestHead.class, h -> assertThat(h.mr()).isEqualTo("7"));
    }
    assertThat(Forge.GITHUB.event("pull_request", payload("github-pull_request", mr("closed"))))
        .isInstanceOfSatisfying(
            ForgeEvent.MergeRequestClosed.class, c -> assertThat(c.mr()).isEqualTo("7"));
    assertThat(
            Forge.GITLAB.event("Merge Request Hook", payload("gitlab-merge_request", mr("merge"))))
        .isInstanceOf(ForgeEvent.MergeRequestClosed.class);
    assertThat(Forge.GITHUB.event("pull_request", payload("github-pull_request", mr("labeled"))))
        .isInstanceOf(ForgeEvent.Ignored.class);
  }

  @Test
  void aGitlabUpdateWithoutNewCommitsBuildsNothing() {
    String noOldrev =
        Payloads.of("gitlab-merge_request", mr("update"))
            .replace("\"oldrev\": \"95790bf891e76fee5e1747ab589903a6a1f80f22\",", "");
    assertThat(Forge.GITLAB.event("Merge Request Hook", JSON.readTree(noOldrev)))
        .isInstanceOfSatisfying(
            ForgeEvent.Ignored.class, i -> assertThat(i.note()).contains("without new commits"));
  }

  @Test
  void anEventKilnDoesNotActOnIsIgnoredWithANote() {
    assertThat(Forge.GITHUB.event("ping", payload("github-ping", Map.of("repo", REPO))))
        .isInstanceOfSatisfying(
            ForgeEvent.Ignored.class,
            i -> {
              assertThat(i.note()).isEqualTo("event \"ping\" is not one Kiln acts on");
              assertThat(i.repoUrls()).contains(REPO);
            });
  }
}
