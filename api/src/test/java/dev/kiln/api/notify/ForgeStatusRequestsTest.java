package dev.kiln.api.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.notify.CommitStatus.State;
import dev.kiln.api.repos.NotifyTarget;
import org.junit.jupiter.api.Test;

class ForgeStatusRequestsTest {

  static final String SHA = "a".repeat(40);
  static final String RUN = "https://kiln.example.com/runs/7";
  static final CommitStatus FAILED =
      new CommitStatus("kiln/gate unit (x86_64)", State.FAILURE, "1 of 2 tests failed");

  @Test
  void gitHubTakesKilnsStatesWithAContextUnderABearerToken() {
    NotifyTarget github =
        new NotifyTarget(
            NotifyTarget.GITHUB, "https://api.github.com/", "octo-org/app", null, null, "ghp_x");

    ForgeStatusRequests.Request request = ForgeStatusRequests.of(github, SHA, FAILED, RUN);

    assertThat(request.url())
        .isEqualTo("https://api.github.com/repos/octo-org/app/statuses/" + SHA);
    assertThat(request.headers()).containsEntry("Authorization", "Bearer ghp_x");
    assertThat(request.body())
        .containsExactly(
            java.util.Map.entry("state", "failure"),
            java.util.Map.entry("context", "kiln/gate unit (x86_64)"),
            java.util.Map.entry("description", "1 of 2 tests failed"),
            java.util.Map.entry("target_url", RUN));
  }

  @Test
  void giteaHasGitHubsShapeUnderItsOwnTokenHeader() {
    NotifyTarget gitea =
        new NotifyTarget(
            NotifyTarget.GITEA, "https://git.example.com/api/v1", "team/app", null, null, "tok");

    ForgeStatusRequests.Request request = ForgeStatusRequests.of(gitea, SHA, FAILED, RUN);

    assertThat(request.url())
        .isEqualTo("https://git.example.com/api/v1/repos/team/app/statuses/" + SHA);
    assertThat(request.headers()).containsEntry("Authorization", "token tok");
    assertThat(request.body()).containsEntry("context", "kiln/gate unit (x86_64)");
  }

  @Test
  void gitLabNamesTheStatusAndEncodesAProjectPath() {
    NotifyTarget gitlab =
        new NotifyTarget(
            NotifyTarget.GITLAB,
            "https://gitlab.example.com/api/v4",
            "group/sub/app",
            null,
            null,
            "glpat");

    ForgeStatusRequests.Request request = ForgeStatusRequests.of(gitlab, SHA, FAILED, RUN);

    assertThat(request.url())
        .isEqualTo("https://gitlab.example.com/api/v4/projects/group%2Fsub%2Fapp/statuses/" + SHA);
    assertThat(request.headers()).containsEntry("PRIVATE-TOKEN", "glpat");
    assertThat(request.body())
        .containsEntry("state", "failed")
        .containsEntry("name", "kiln/gate unit (x86_64)")
        .doesNotContainKey("context");
  }

  @Test
  void eachForgeSpellsKilnsStatesItsOwnWay() {
    for (String type : new String[] {NotifyTarget.GITHUB, NotifyTarget.GITEA}) {
      assertThat(ForgeStatusRequests.state(type, State.PENDING)).isEqualTo("pending");
      assertThat(ForgeStatusRequests.state(type, State.SUCCESS)).isEqualTo("success");
      assertThat(ForgeStatusRequests.state(type, State.FAILURE)).isEqualTo("failure");
      assertThat(ForgeStatusRequests.state(type, State.ERROR)).isEqualTo("error");
    }
    assertThat(ForgeStatusRequests.state(NotifyTarget.GITLAB, State.PENDING)).isEqualTo("pending");
    assertThat(ForgeStatusRequests.state(NotifyTarget.GITLAB, State.SUCCESS)).isEqualTo("success");
    assertThat(ForgeStatusRequests.state(NotifyTarget.GITLAB, State.FAILURE)).isEqualTo("failed");
    assertThat(ForgeStatusRequests.state(NotifyTarget.GITLAB, State.ERROR)).isEqualTo("canceled");
  }
}
