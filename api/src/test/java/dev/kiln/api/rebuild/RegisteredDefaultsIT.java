package dev.kiln.api.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.repos.BranchPolicy;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.support.StrictApi;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A rebuild of a registered repository takes its settings, read from PostgreSQL. */
class RegisteredDefaultsIT extends StrictApi {

  static final String REPO = "https://git.example.com/team/defaults.git";

  @Autowired RepoStore repos;
  @Autowired RegisteredDefaults defaults;

  private static RebuildBody body(String repo, String ref, String arch, String priority) {
    return new RebuildBody(repo, ref, arch, null, priority, null, null, List.of());
  }

  @Test
  void aRebuildTakesTheRegisteredArchPriorityAndTheSupersedePolicyOfItsBranch() {
    repos.insert(
        new RepoStore.Settings(
            REPO,
            List.of("**"),
            List.of("aarch64", "x86_64"),
            RunPriority.HIGH,
            null,
            List.of(),
            List.of(
                new BranchPolicy("main", "queue"),
                new BranchPolicy("release/*", "replace-pending"))),
        "secret",
        "test");

    NewRun main = defaults.validate(body(REPO, "main", null, null), null);
    assertThat(main.arch()).isEqualTo("aarch64");
    assertThat(main.priority()).isEqualTo(RunPriority.HIGH);
    assertThat(main.policy()).isEqualTo(SupersedePolicy.QUEUE);
    assertThat(main.lane()).isEqualTo(REPO + "#main@aarch64");

    NewRun release = defaults.validate(body(REPO, "release/2", "x86_64", "low"), null);
    assertThat(release.arch()).as("what the request says wins").isEqualTo("x86_64");
    assertThat(release.priority()).isEqualTo(RunPriority.LOW);
    assertThat(release.policy()).isEqualTo(SupersedePolicy.REPLACE_PENDING);

    NewRun sameRepoOtherSpelling =
        defaults.validate(body("https://git.example.com/team/defaults", "topic", null, null), null);
    assertThat(sameRepoOtherSpelling.arch()).isEqualTo("aarch64");
    assertThat(sameRepoOtherSpelling.policy()).isEqualTo(SupersedePolicy.CANCEL_RUNNING);
  }

  @Test
  void aRebuildOfAnUnregisteredRepositoryKeepsTodaysDefaults() {
    NewRun run =
        defaults.validate(
            body("https://git.example.com/team/unregistered.git", "main", "x86_64", null), null);
    assertThat(run.priority()).isEqualTo(RunPriority.NORMAL);
    assertThat(run.policy()).isEqualTo(SupersedePolicy.CANCEL_RUNNING);
    assertThat(run.branch()).isNull();
  }
}
