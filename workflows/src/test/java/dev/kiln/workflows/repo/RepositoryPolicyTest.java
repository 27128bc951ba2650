package dev.kiln.workflows.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.repo.RepositoryRefusedException.Subject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The policy alone, with a resolver the test controls: every private, link-local, multicast and
 * unspecified range is judged here, where nothing connects anywhere.
 */
class RepositoryPolicyTest {

  static final TestResolver RESOLVER =
      new TestResolver(
          Map.ofEntries(
              Map.entry("github.com", List.of("140.82.121.4")),
              Map.entry("dual.example", List.of("140.82.121.4", "2606:50c0:8000::154")),
              Map.entry("localhost", List.of("127.0.0.1", "::1")),
              Map.entry("db.internal", List.of("10.20.0.5")),
              Map.entry("half.example", List.of("140.82.121.4", "192.168.1.10")),
              Map.entry("metadata.example", List.of("169.254.169.254")),
              Map.entry("git.corp.example", List.of("10.1.2.3")),
              Map.entry("git.corp.example.evil", List.of("10.9.9.9")),
              Map.entry("mapped.example", List.of("::ffff:10.0.0.1"))));

  static final RepositoryPolicy POLICY = new RepositoryPolicy(false, AllowedHosts.none(), RESOLVER);

  @ParameterizedTest
  @CsvSource({
    "https://github.com/acme/app.git, https://github.com/acme/app.git",
    "HTTPS://GitHub.com/Acme/App, https://github.com/Acme/App",
    "http://github.com:8080/scm/app.git, http://github.com:8080/scm/app.git",
    "https://dual.example/a@b.git, https://dual.example/a@b.git",
    "https://140.82.121.4/acme/app.git, https://140.82.121.4/acme/app.git",
    "https://[2606:50C0:8000::154]/acme/app.git, https://[2606:50c0:8000::154]/acme/app.git",
    "https://unresolvable.example/acme/app.git, https://unresolvable.example/acme/app.git",
    "https://github.com/acme/my%20app.git, https://github.com/acme/my%20app.git"
  })
  void acceptsHttpsAndHttpUrlsOfPublicHostsInTheirCanonicalForm(String repo, String canonical)
      throws Exception {
    assertThat(POLICY.check(repo).canonical()).isEqualTo(canonical);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                                  | must not be empty",
        "ext::sh -c touch% /tmp/pwned         | transport \"ext::\" is not allowed; use the repository's https:// URL",
        "https://github.com/a b.git           | must not contain whitespace or control characters",
        "ext::ssh-evil                        | transport \"ext::\" is not allowed; use the repository's https:// URL",
        "fd::17                               | transport \"fd::\" is not allowed; use the repository's https:// URL",
        "ftp://github.com/x.git               | scheme \"ftp://\" is not allowed; use the repository's https:// URL",
        "ssh://git@github.com/acme/app.git    | scheme \"ssh://\" is not supported (Kiln's workers fetch over https); use the repository's https:// URL",
        "git+ssh://git@github.com/a.git       | scheme \"git+ssh://\" is not supported (Kiln's workers fetch over https); use the repository's https:// URL",
        "ssh+git://git@github.com/a.git       | scheme \"ssh+git://\" is not supported (Kiln's workers fetch over https); use the repository's https:// URL",
        "git@github.com:acme/app.git          | ssh addresses such as host:path are not supported (Kiln's workers fetch over https); use the repository's https:// URL",
        "git://git.kernel.org/git.git         | scheme \"git://\" is not allowed: it is neither authenticated nor encrypted; use the repository's https:// URL",
        "file:///srv/git/app.git              | file:// URLs are only allowed on the dev stack (kiln.repos.allow-file); use the repository's https:// URL",
        "/srv/git/app.git                     | local paths are not allowed; use a URL such as https://host/owner/repo.git",
        "--upload-pack=touch                  | must not start with \"-\"",
        "https:///acme/app.git                | https URL has no host",
        "https://github.com                   | https URL has no repository path",
        "https://github.com/                  | https URL has no repository path",
        "https://github.com:99999/a           | port \"99999\" is not a number between 1 and 65535",
        "https://-oProxy/a                    | host \"-oproxy\" is not a valid host name",
        "https://github.com/a?x=1             | must not have a query (?) or fragment (#)",
        "https://github.com/team/x/../../admin/y | must not contain \".\" or \"..\" path segments",
        "https://github.com/team/%2e%2e/admin | must not %-escape control characters, \".\", \"/\" or \"\\\"",
        "https://github.com/team/a%0a.git     | must not %-escape control characters, \".\", \"/\" or \"\\\"",
        "https://github.com/team/a%zz.git     | has a malformed %-escape",
      })
  void refusesWhatGitWouldMisuseWithAPreciseReason(String repo, String reason) {
    assertRefused(repo, reason);
  }

  @Test
  void refusesPathCharactersThatAUrlMustEscape() {
    for (String repo : List.of("https://github.com/team\\x.git", "https://github.com/a<b>.git")) {
      assertRefused(
          repo, "the path may contain only letters, digits and -._~!$&'()*+,;=:@/ and %-escapes");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://ghp_secret@github.com/acme/app.git",
        "https://x-access-token:ghp_secret@github.com/acme/app.git",
        "http://user:ghp_secret@github.com:8080/acme/app.git"
      })
  void refusesCredentialsInTheUrlPointingToRepositoryCredentialsAndNeverQuotesThem(String repo) {
    assertThatThrownBy(() -> POLICY.check(repo))
        .isInstanceOf(RepositoryRefusedException.class)
        .hasMessageContaining("must not contain a user name or password")
        .hasMessageContaining("kiln.repos.credentials")
        .hasMessageNotContaining("ghp_secret")
        .hasMessageNotContaining("x-access-token");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1/a.git           | host 127.0.0.1 is a loopback address",
        "http://127.8.9.10/a.git          | host 127.8.9.10 is a loopback address",
        "http://[::1]/a.git               | host [::1] is a loopback address",
        "http://[::ffff:127.0.0.1]/a.git  | host [::ffff:127.0.0.1] is a loopback address",
        "http://[::ffff:7f00:1]/a.git     | host [::ffff:7f00:1] is a loopback address",
        "http://[64:ff9b::7f00:1]/a.git   | host [64:ff9b::7f00:1] is a loopback address",
        "http://[2002:7f00:1::1]/a.git    | host [2002:7f00:1::1] is a loopback address",
        "http://localhost/a.git           | host \"localhost\" resolves to a loopback address",
        "http://10.0.0.1/a.git            | host 10.0.0.1 is a private address",
        "http://10.255.255.255/a.git      | host 10.255.255.255 is a private address",
        "http://172.16.0.1/a.git          | host 172.16.0.1 is a private address",
        "http://172.31.255.254/a.git      | host 172.31.255.254 is a private address",
        "http://192.168.0.1/a.git         | host 192.168.0.1 is a private address",
        "http://100.64.0.1/a.git          | host 100.64.0.1 is a private address",
        "http://[fc00::1]/a.git           | host [fc00::1] is a private address",
        "http://[fd12:3456::1]/a.git      | host [fd12:3456::1] is a private address",
        "http://[::ffff:10.0.0.1]/a.git   | host [::ffff:10.0.0.1] is a private address",
        "http://db.internal/a.git         | host \"db.internal\" resolves to a private address",
        "http://half.example/a.git        | host \"half.example\" resolves to a private address",
        "http://mapped.example/a.git      | host \"mapped.example\" resolves to a private address",
        "http://169.254.169.254/a.git     | host 169.254.169.254 is a link-local address",
        "http://[fe80::1]/a.git           | host [fe80::1] is a link-local address",
        "http://[febf::1]/a.git           | host [febf::1] is a link-local address",
        "http://metadata.example/a.git    | host \"metadata.example\" resolves to a link-local address",
        "http://224.0.0.1/a.git           | host 224.0.0.1 is a multicast address",
        "http://239.255.255.250/a.git     | host 239.255.255.250 is a multicast address",
        "http://[ff02::1]/a.git           | host [ff02::1] is a multicast address",
        "http://0.0.0.0/a.git             | host 0.0.0.0 is the unspecified address",
        "http://0.1.2.3/a.git             | host 0.1.2.3 is the unspecified address",
        "http://[::]/a.git                | host [::] is the unspecified address",
        "http://255.255.255.255/a.git     | host 255.255.255.255 is a reserved address (broadcast, documentation, benchmarking or IETF use)",
        "http://192.0.2.1/a.git           | host 192.0.2.1 is a reserved address (broadcast, documentation, benchmarking or IETF use)",
        "http://[2001:db8::1]/a.git       | host [2001:db8::1] is a reserved address (broadcast, documentation, benchmarking or IETF use)",
      })
  void refusesHostsThatAreOrResolveToNonPublicAddresses(String repo, String reason) {
    assertRefused(
        repo,
        reason
            + "; Kiln fetches only from public addresses unless kiln.repos.allow-hosts allows the"
            + " host");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "0x7f.1, 127.0.0.1 (a loopback address)",
    "2130706433, 127.0.0.1 (a loopback address)",
    "017700000001, 127.0.0.1 (a loopback address)",
    "0177.0.0.1, 127.0.0.1 (a loopback address)",
    "127.1, 127.0.0.1 (a loopback address)",
    "0x7f000001, 127.0.0.1 (a loopback address)",
    "127.0.0.1., 127.0.0.1 (a loopback address)",
    "0xa.0.0.1, 10.0.0.1 (a private address)",
    "0, 0.0.0.0 (the unspecified address)",
    "1.2.3, 1.2.0.3 (a public address)"
  })
  void refusesIpv4AddressesInOtherSpellingsNamingTheAddress(String host, String address) {
    assertRefused(
        "http://" + host + "/a.git",
        "host \""
            + host
            + "\" is the IPv4 address "
            + address
            + " in another spelling; write addresses as four decimal numbers");
  }

  @Test
  void allowHostsLetsNamedHostsAndRangesThroughAndNothingElse() throws Exception {
    RepositoryPolicy policy =
        new RepositoryPolicy(
            false, AllowedHosts.of(List.of("*.corp.example", "192.168.0.0/16", "::1")), RESOLVER);

    assertThat(policy.check("https://git.corp.example/team/app.git").host())
        .isEqualTo("git.corp.example");
    assertThat(policy.addresses("git.corp.example"))
        .containsExactly(InetAddress.getByName("10.1.2.3"));
    assertThat(policy.check("http://192.168.7.7/a.git").host()).isEqualTo("192.168.7.7");
    assertThat(policy.check("http://[::1]/a.git").host()).isEqualTo("[::1]");
    assertThatThrownBy(() -> policy.check("http://127.0.0.1/a.git"))
        .hasMessageContaining("loopback");
    assertThatThrownBy(() -> policy.check("http://db.internal/a.git"))
        .hasMessageContaining("private");
    assertThatThrownBy(() -> policy.check("http://git.corp.example.evil/a.git"))
        .hasMessageContaining("private");
  }

  @Test
  void aNameThatDoesNotResolveIsLeftToTheConnectionWhichCannotReachIt() throws Exception {
    assertThat(POLICY.check("https://unresolvable.example/a.git").host())
        .isEqualTo("unresolvable.example");
    assertThatThrownBy(() -> POLICY.addresses("unresolvable.example"))
        .isInstanceOf(UnknownHostException.class);
  }

  @Test
  void connectionsGetExactlyTheAddressesThatWereJudged() throws Exception {
    assertThat(POLICY.addresses("dual.example"))
        .containsExactly(
            InetAddress.getByName("140.82.121.4"), InetAddress.getByName("2606:50c0:8000::154"));
    assertThat(POLICY.addresses("140.82.121.4"))
        .containsExactly(InetAddress.getByName("140.82.121.4"));
    assertThat(POLICY.addresses("2606:50c0:8000::154"))
        .containsExactly(InetAddress.getByName("2606:50c0:8000::154"));
    assertThatThrownBy(() -> POLICY.addresses("::1")).hasMessageContaining("loopback");
    assertThatThrownBy(() -> POLICY.addresses("0x7f.1")).hasMessageContaining("loopback");
  }

  @Test
  void fileUrlsAreAcceptedOnlyWhereAllowedAndOnlyWithAnAbsolutePath() throws Exception {
    RepositoryPolicy dev = new RepositoryPolicy(true, AllowedHosts.none(), RESOLVER);

    assertThat(dev.check("file:///srv/git/app.git").canonical())
        .isEqualTo("file:///srv/git/app.git");
    assertThatThrownBy(() -> dev.check("file://srv/git/app.git"))
        .hasMessage("repo: a file:// URL needs an absolute path, as in file:///srv/git/app.git");
    assertThatThrownBy(() -> dev.check("/srv/git/app.git"))
        .hasMessage("repo: local paths are not allowed; use a file:// URL");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "main",
        "feature/login",
        "refs/heads/main",
        "refs/tags/v1.0",
        "v1.2.3",
        "9f1c2ab",
        "HEAD",
        "release-2026.1"
      })
  void acceptsBranchesTagsRefNamesAndShas(String ref) throws Exception {
    POLICY.checkRef(ref);
    POLICY.checkRef(null);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''              | must not be empty; leave it out for the default branch",
        "a..b            | must not contain \"..\"",
        "-x              | must not start with \"-\"",
        "has space       | must not contain whitespace or control characters",
        "main~1          | must not contain \"~\": name a branch, tag or sha, not a revision expression (such as main~1)",
        "main^           | must not contain \"^\": name a branch, tag or sha, not a revision expression (such as main~1)",
        "a:b             | must not contain \":\": name a branch, tag or sha, not a revision expression (such as main~1)",
        "feat*           | must not contain \"*\": name a branch, tag or sha, not a revision expression (such as main~1)",
        "main@{1}        | must not contain \"@{\" or be \"@\": name a branch, tag or sha",
        "@               | must not contain \"@{\" or be \"@\": name a branch, tag or sha",
        "/main           | must not start or end with \"/\" or contain \"//\"",
        "a//b            | must not start or end with \"/\" or contain \"//\"",
        "main.           | must not end with \".\"",
        "feature/.hidden | no part between slashes may start with \".\"",
        "main.lock       | no part between slashes may end with \".lock\"",
      })
  void refusesRevisionExpressionsAndMalformedRefs(String ref, String reason) {
    assertThatThrownBy(() -> POLICY.checkRef(ref))
        .isInstanceOfSatisfying(
            RepositoryRefusedException.class,
            e -> {
              assertThat(e.subject()).isEqualTo(Subject.REF);
              assertThat(e.reason()).isEqualTo(reason);
            });
  }

  @Test
  void refusesOverlongRefs() {
    assertThatThrownBy(() -> POLICY.checkRef("r".repeat(256)))
        .hasMessage("ref: longer than 255 characters");
  }

  @Test
  void allowHostsRejectsEntriesThatAreNeitherNamesNorAddresses() {
    assertThatThrownBy(() -> AllowedHosts.of(List.of("http://x/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"http://x/\" is neither a host name, an address nor a range");
    assertThatThrownBy(() -> AllowedHosts.of(List.of("10.0.0.0/33")))
        .hasMessageContaining("no valid prefix length");
  }

  @Test
  void redactsUserPartsOfUrlsInText() {
    assertThat(RepositoryPolicy.redact("redirected to https://u:p@host/x.git and https://h/y"))
        .isEqualTo("redirected to https://***@host/x.git and https://h/y");
  }

  private static void assertRefused(String repo, String reason) {
    assertThatThrownBy(() -> POLICY.check(repo))
        .isInstanceOfSatisfying(
            RepositoryRefusedException.class,
            e -> {
              assertThat(e.subject()).isEqualTo(Subject.REPO);
              assertThat(e.reason()).isEqualTo(reason);
            });
  }
}
