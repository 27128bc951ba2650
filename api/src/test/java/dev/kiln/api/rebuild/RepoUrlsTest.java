package dev.kiln.api.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepoUrlsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://github.com/madler/zlib.git",
        "http://git.example.com/team/app",
        "ssh://git@git.example.com:2222/team/app.git",
        "git://git.kernel.org/pub/scm/git/git.git",
        "git+ssh://git@example.com/app.git",
        "git@github.com:madler/zlib.git",
        "example.com:team/app.git",
        "user@[::1]:repo.git",
        "https://user@example.com/app.git"
      })
  void acceptsNetworkGitUrls(String repo) {
    assertThat(RepoUrls.problem(repo, false)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ext::sh -c touch% /tmp/pwned | repo: scheme \"ext::\" is not allowed",
        "fd::7                        | repo: scheme \"fd::\" is not allowed",
        "file:///srv/git/app.git      | repo: scheme \"file://\" is not allowed",
        "ftp://example.com/app.git    | repo: scheme \"ftp://\" is not allowed; use https, http, ssh or git",
        "--upload-pack=touch          | repo: must not start with \"-\"",
        "https://example.com/          | repo: URL has no repository path",
        "https:///app.git             | repo: URL has no host",
        "https://u:secret@example.com/a.git | repo: must not contain credentials (user:password@)"
      })
  void refusesDangerousOrMalformedUrlsSayingWhy(String repo, String detail) {
    assertThat(RepoUrls.problem(repo, false)).contains(detail);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/srv/git/app.git", "./app", "app", "../app.git"})
  void refusesPlainPaths(String repo) {
    assertThat(RepoUrls.problem(repo, false))
        .hasValueSatisfying(detail -> assertThat(detail).contains("is not a git URL"));
  }

  @Test
  void refusesWhitespaceAndControlCharacters() {
    assertThat(RepoUrls.problem("https://example.com/a b.git", false))
        .contains("repo: must not contain whitespace or control characters");
    assertThat(RepoUrls.problem("https://example.com/a\u0000.git", false))
        .contains("repo: must not contain whitespace or control characters");
  }

  @Test
  void acceptsFileUrlsOnlyWhenAllowed() {
    assertThat(RepoUrls.problem("file:///srv/git/app.git", true)).isEmpty();
    assertThat(RepoUrls.problem("file://relative", true))
        .hasValueSatisfying(detail -> assertThat(detail).contains("absolute path"));
  }
}
