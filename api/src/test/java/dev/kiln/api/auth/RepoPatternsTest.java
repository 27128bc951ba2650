package dev.kiln.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RepoPatternsTest {

  private static RepoPatterns team() {
    return RepoPatterns.of(List.of("https://git.example.com/team/*"));
  }

  @Test
  void noPatternsMeansEveryRepository() {
    assertThat(RepoPatterns.any().matchesAny()).isTrue();
    assertThat(RepoPatterns.of(List.of()).matches("https://anything/at/all")).isTrue();
    assertThat(RepoPatterns.of(null).matches("file:///tmp/x.git")).isTrue();
  }

  @Test
  void aSingleStarMatchesWithinOnePathSegment() {
    assertThat(team().matches("https://git.example.com/team/app.git")).isTrue();
    assertThat(team().matches("https://git.example.com/team/")).isTrue();
    assertThat(team().matches("https://git.example.com/team/sub/app.git")).isFalse();
    assertThat(team().matches("https://git.example.com/other/app.git")).isFalse();
    assertThat(team().matches("https://git.example.com/teamx/app.git")).isFalse();
  }

  @Test
  void aDoubleStarMatchesAcrossSegments() {
    RepoPatterns deep = RepoPatterns.of(List.of("https://git.example.com/team/**"));
    assertThat(deep.matches("https://git.example.com/team/sub/app.git")).isTrue();
    assertThat(deep.matches("https://git.example.com/teams/app.git")).isFalse();
  }

  @Test
  void everythingButStarsIsLiteralAndTheWholeUrlMustMatch() {
    RepoPatterns exact = RepoPatterns.of(List.of("https://git.example.com/a.b/c+d(1).git"));
    assertThat(exact.matches("https://git.example.com/a.b/c+d(1).git")).isTrue();
    assertThat(exact.matches("https://git.example.com/aXb/c+d(1).git"))
        .as("a dot is a dot")
        .isFalse();
    assertThat(exact.matches("https://git.example.com/a.b/c+d(1).git.evil")).isFalse();
    assertThat(exact.matches("xhttps://git.example.com/a.b/c+d(1).git")).isFalse();
    assertThat(team().matches("HTTPS://git.example.com/team/app.git")).as("as written").isFalse();
  }

  @Test
  void aUrlThatCouldNameAnotherPathNeverMatches() {
    RepoPatterns deep = RepoPatterns.of(List.of("https://git.example.com/team/**"));
    assertThat(deep.matches("https://git.example.com/team/x/../../admin/secret.git")).isFalse();
    assertThat(deep.matches("https://git.example.com/team/./app.git")).isFalse();
    assertThat(deep.matches("https://git.example.com/team/..")).isFalse();
    assertThat(deep.matches("https://git.example.com/team/%2e%2e/admin.git")).isFalse();
    assertThat(deep.matches("https://git.example.com/team/x%2fy.git")).isFalse();
    assertThat(deep.matches("https://git.example.com/team/..\\admin.git")).isFalse();
    // dots inside a name are fine
    assertThat(deep.matches("https://git.example.com/team/app..v2.git")).isTrue();
    assertThat(deep.matches("https://git.example.com/team/.hidden.git")).isTrue();
  }

  @Test
  void anyOfSeveralPatternsSuffices() {
    RepoPatterns two =
        RepoPatterns.of(List.of("https://git.example.com/team/*", "git@git.example.com:ops/*.git"));
    assertThat(two.matches("git@git.example.com:ops/deploy.git")).isTrue();
    assertThat(two.matches("git@git.example.com:ops/deploy")).isFalse();
  }

  @Test
  void regexesAreAnchoredAndEscapeEveryNonAlphanumericCharacter() {
    assertThat(RepoPatterns.regex("https://h/t/*")).isEqualTo("^https\\:\\/\\/h\\/t\\/[^/]*$");
    assertThat(RepoPatterns.regex("a**b")).isEqualTo("^a.*b$");
  }

  @Test
  void refusesBlankOrSpacedPatterns() {
    assertThatThrownBy(() -> RepoPatterns.of(List.of(" ")))
        .hasMessage("a repository pattern must not be empty");
    assertThatThrownBy(() -> RepoPatterns.of(List.of("https://h/a b")))
        .hasMessageContaining("must not contain whitespace or control characters");
  }
}
