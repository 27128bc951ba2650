package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.fetch.RepositoryUrls.Transport;
import dev.kiln.activities.fetch.RepositoryUrls.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RepositoryUrlsTest {

  @ParameterizedTest
  @CsvSource({
    "https://github.com/acme/app.git, HTTP",
    "HTTPS://GitHub.com/acme/app, HTTP",
    "http://git.internal:8080/scm/app.git, HTTP",
    "https://x-access-token:ghp_secret@github.com/acme/app.git, HTTP",
    "https://[::1]:8443/acme/app.git, HTTP",
    "ssh://git@github.com/acme/app.git, SSH",
    "ssh://git@git.internal:2222/acme/app.git, SSH",
    "git@github.com:acme/app.git, SSH",
    "gitlab.internal:group/app.git, SSH",
    "git://git.kernel.org/pub/scm/git/git.git, GIT",
  })
  void acceptsTheSupportedTransports(String url, Transport transport) {
    Validation validation = RepositoryUrls.validate(url, false);

    assertThat(validation.ok()).as(validation.reason()).isTrue();
    assertThat(validation.transport()).isEqualTo(transport);
    assertThat(validation.reason()).isNull();
  }

  @Test
  void acceptsFileUrlsOnlyWhenAllowed() {
    assertThat(RepositoryUrls.validate("file:///srv/git/app.git", true))
        .isEqualTo(new Validation(Transport.FILE, null));
    assertThat(RepositoryUrls.validate("file:///srv/git/app.git", false).reason())
        .isEqualTo(
            "file:// URLs are only allowed on the dev stack"
                + " (use https, http, ssh, git or git@host:path)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''| repository URL is empty",
        "'   '| repository URL is empty",
        "ext::sh -c touch% /tmp/pwned| repository URL contains whitespace or control characters",
        "ext::ssh-evil| transport \"ext::\" is not allowed (use https, http, ssh, git or git@host:path)",
        "fd::17| transport \"fd::\" is not allowed (use https, http, ssh, git or git@host:path)",
        "ftp://host/x.git| scheme \"ftp\" is not allowed (use https, http, ssh, git or git@host:path)",
        "rsync://host/x.git| scheme \"rsync\" is not allowed (use https, http, ssh, git or git@host:path)",
        "/srv/git/app.git| local paths are not allowed; use a URL such as https://host/owner/repo.git",
        "../app| local paths are not allowed; use a URL such as https://host/owner/repo.git",
        "https://github.com/acme/app .git| repository URL contains whitespace or control characters",
        "https://github.com/acme/app%0a.git| repository URL contains percent-encoded control characters",
        "-uhttps://github.com/x| repository URL must not start with '-'",
        "ssh://-oProxyCommand=touch%20x/repo| host \"-oProxyCommand=touch%20x\" is not a valid host name",
        "git@-oProxyCommand=x:repo| host \"-oProxyCommand=x\" is not a valid host name",
        "https:///acme/app.git| https URL has no host",
        "https://github.com| https URL has no repository path",
        "https://github.com/| https URL has no repository path",
        "https://github.com:99999/acme/app| port \"99999\" is not a number between 1 and 65535",
        "https://github.com:http/acme/app| port \"http\" is not a number between 1 and 65535",
        "git@github.com:| ssh URL has no repository path",
        "file://srv/git/app.git| file:// URLs are only allowed on the dev stack (use https, http, ssh, git or git@host:path)",
      })
  void rejectsWithAPreciseReason(String url, String reason) {
    Validation validation = RepositoryUrls.validate(url, false);

    assertThat(validation.ok()).isFalse();
    assertThat(validation.transport()).isNull();
    assertThat(validation.reason()).isEqualTo(reason);
  }

  @Test
  void rejectsControlCharactersAndOverlongUrls() {
    assertThat(RepositoryUrls.validate("https://host/a\u0000b", false).reason())
        .isEqualTo("repository URL contains whitespace or control characters");
    assertThat(RepositoryUrls.validate("https://host/" + "a".repeat(2048), false).reason())
        .isEqualTo("repository URL is longer than 2048 characters");
  }

  @Test
  void fileUrlsMustBeAbsoluteEvenWhenAllowed() {
    assertThat(RepositoryUrls.validate("file://srv/git/app.git", true).reason())
        .isEqualTo("file:// URL must name an absolute path (file:///path/to/repo)");
    assertThat(RepositoryUrls.validate("/srv/git/app.git", true).reason())
        .isEqualTo("local paths are not allowed; use a file:// URL");
  }

  @Test
  void rejectionReasonsNeverQuoteCredentials() {
    Validation validation =
        RepositoryUrls.validate("https://user:hunter2@github.com:nope/acme/app", false);

    assertThat(validation.reason())
        .isEqualTo("port \"nope\" is not a number between 1 and 65535")
        .doesNotContain("hunter2");
  }

  @Test
  void redactsTheWholeUserPartOfHttpUrlsAndOnlyPasswordsElsewhere() {
    assertThat(RepositoryUrls.redact("fetch https://ghp_token@github.com/a.git: not authorized"))
        .isEqualTo("fetch https://***@github.com/a.git: not authorized");
    assertThat(RepositoryUrls.redact("https://x-access-token:s3cr3t@github.com/a.git"))
        .isEqualTo("https://***@github.com/a.git");
    assertThat(RepositoryUrls.redact("ssh://git:pw@host/a.git and ssh://git@host/b.git"))
        .isEqualTo("ssh://git:***@host/a.git and ssh://git@host/b.git");
    assertThat(RepositoryUrls.redact("git@github.com:acme/app.git"))
        .isEqualTo("git@github.com:acme/app.git");
    assertThat(RepositoryUrls.redact(null)).isNull();
  }

  @Test
  void withoutCredentialsKeepsAWorkingUrl() {
    assertThat(RepositoryUrls.withoutCredentials("https://u:p@github.com/acme/app.git"))
        .isEqualTo("https://github.com/acme/app.git");
    assertThat(RepositoryUrls.withoutCredentials("ssh://git:pw@host:2222/app.git"))
        .isEqualTo("ssh://git@host:2222/app.git");
    assertThat(RepositoryUrls.withoutCredentials("https://github.com/acme/a@b.git"))
        .isEqualTo("https://github.com/acme/a@b.git");
    assertThat(RepositoryUrls.withoutCredentials("git@github.com:acme/app.git"))
        .isEqualTo("git@github.com:acme/app.git");
  }

  @Test
  void mirrorNameIsReadableFilesystemSafeAndStable() {
    String name = RepositoryUrls.mirrorName("https://GitHub.com/Acme/My App%20x.git");

    assertThat(name).matches("github\\.com-acme-my-app-20x-[0-9a-f]{12}");
    assertThat(RepositoryUrls.mirrorName("https://GitHub.com/Acme/My App%20x.git")).isEqualTo(name);
  }

  @Test
  void mirrorNameIgnoresCredentialsButTellsRepositoriesApart() {
    String plain = RepositoryUrls.mirrorName("https://github.com/acme/app.git");

    assertThat(RepositoryUrls.mirrorName("https://token-1@github.com/acme/app.git"))
        .isEqualTo(plain);
    assertThat(RepositoryUrls.mirrorName("https://u:token-2@github.com/acme/app.git"))
        .isEqualTo(plain);
    assertThat(RepositoryUrls.mirrorName("https://github.com/acme/app2.git")).isNotEqualTo(plain);
    assertThat(RepositoryUrls.mirrorName("https://gitlab.com/acme/app.git"))
        .startsWith("gitlab.com-acme-app-")
        .isNotEqualTo(plain);
  }

  @Test
  void mirrorNameCoversScpFileAndOverlongUrls() {
    assertThat(RepositoryUrls.mirrorName("git@github.com:acme/app.git"))
        .matches("github\\.com-acme-app-[0-9a-f]{12}");
    assertThat(RepositoryUrls.mirrorName("file:///srv/git/app.git"))
        .matches("srv-git-app-[0-9a-f]{12}");
    String longName = RepositoryUrls.mirrorName("https://host/" + "a/".repeat(100) + "x.git");
    assertThat(longName).hasSizeLessThanOrEqualTo(60 + 13).matches("[a-z0-9._-]+");
    assertThat(RepositoryUrls.mirrorName("https://host/../..")).doesNotContain("..");
  }
}
