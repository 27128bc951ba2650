package dev.kiln.api.repos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.SupersedePolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegisteredRepoTest {

  static RegisteredRepo repo(List<String> branches, List<BranchPolicy> supersede) {
    return new RegisteredRepo(
        1,
        "https://git.example.com/team/app.git",
        branches,
        List.of("x86_64"),
        RunPriority.NORMAL,
        "secret",
        null,
        List.of(),
        supersede,
        Instant.EPOCH,
        "test",
        Instant.EPOCH);
  }

  @Test
  void aStarMatchesWithinOneSegmentAndTwoStarsAcrossSegments() {
    assertThat(BranchPatterns.matches("release/*", "release/1.0")).isTrue();
    assertThat(BranchPatterns.matches("release/*", "release/1.0/hotfix")).isFalse();
    assertThat(BranchPatterns.matches("release/**", "release/1.0/hotfix")).isTrue();
    assertThat(BranchPatterns.matches("main", "main")).isTrue();
    assertThat(BranchPatterns.matches("main", "maintenance")).isFalse();
    assertThat(BranchPatterns.matches("v1.+", "v1.+")).as("regex characters are literal").isTrue();
    assertThat(BranchPatterns.matches("v1.+", "v1x+")).isFalse();
    assertThat(BranchPatterns.matches("**", "any/thing")).isTrue();
  }

  @Test
  void theFirstMatchingPatternDecidesTheSupersedePolicyAndNoMatchIsCancelRunning() {
    RegisteredRepo repo =
        repo(
            List.of("**"),
            List.of(
                new BranchPolicy("main", "queue"),
                new BranchPolicy("release/*", "replace-pending"),
                new BranchPolicy("release/**", "queue")));
    assertThat(repo.policyFor("main")).isEqualTo(SupersedePolicy.QUEUE);
    assertThat(repo.policyFor("release/2")).isEqualTo(SupersedePolicy.REPLACE_PENDING);
    assertThat(repo.policyFor("release/2/rc")).isEqualTo(SupersedePolicy.QUEUE);
    assertThat(repo.policyFor("feature/x")).isEqualTo(SupersedePolicy.CANCEL_RUNNING);
    assertThat(repo.policyFor(null)).isEqualTo(SupersedePolicy.CANCEL_RUNNING);
  }

  @Test
  void pushesBuildOnlyTheBranchesThePatternsName() {
    RegisteredRepo repo = repo(List.of("main", "release/*"), List.of());
    assertThat(repo.builds("main")).isTrue();
    assertThat(repo.builds("release/3")).isTrue();
    assertThat(repo.builds("feature/x")).isFalse();
  }

  @Test
  void urlsDifferingOnlyInATrailingSlashOrDotGitNameOneRepository() {
    assertThat(RegisteredRepo.key("https://git.example.com/team/app.git"))
        .isEqualTo(RegisteredRepo.key("https://git.example.com/team/app/"))
        .isEqualTo("https://git.example.com/team/app");
    assertThat(RegisteredRepo.key("git@git.example.com:team/app.git"))
        .isEqualTo("git@git.example.com:team/app");
  }
}
