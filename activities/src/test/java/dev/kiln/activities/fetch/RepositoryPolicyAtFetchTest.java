package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.activities.fetch.GitFetcher.CheckedOut;
import dev.kiln.activities.fetch.GitHttpServer.Request;
import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository policy where the worker connects: real JGit fetches over HTTP, against servers and
 * listeners this test owns on loopback addresses. Every refused address has a listener that counts
 * connections; each test ends with it at zero.
 */
class RepositoryPolicyAtFetchTest {

  static final InetAddress LOCAL_1 = address("127.0.0.1");
  static final InetAddress LOCAL_2 = address("127.0.0.2");
  static final InetAddress LOCAL_3 = address("127.0.0.3");
  static final InetAddress LOCAL_V6 = address("::1");

  @TempDir Path tmp;

  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final List<AutoCloseable> closeAfter = new ArrayList<>();
  private OriginRepo origin;
  private RevCommit tip;

  @BeforeEach
  void setUp() throws Exception {
    origin = OriginRepo.create(tmp.resolve("origin"));
    tip = origin.commit("VERSION", "1.0\n");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable closeable : closeAfter) {
      closeable.close();
    }
    origin.close();
  }

  @Test
  void loopbackInEverySpellingIsRefusedBeforeAnyConnection() throws Exception {
    ConnectionCounter v4 = closing(new ConnectionCounter(LOCAL_1));
    ConnectionCounter v6 = closing(new ConnectionCounter(LOCAL_V6));
    HostResolver resolver = TestPolicies.resolver(Map.of("loopback.test", List.of("127.0.0.1")));
    GitFetcher fetcher = fetcher(new RepositoryPolicy(false, AllowedHosts.none(), resolver));

    for (String url :
        List.of(
            "http://127.0.0.1:" + v4.port() + "/x.git",
            "http://[::1]:" + v6.port() + "/x.git",
            "http://0x7f.1:" + v4.port() + "/x.git",
            "http://2130706433:" + v4.port() + "/x.git",
            "http://[::ffff:127.0.0.1]:" + v4.port() + "/x.git",
            "http://loopback.test:" + v4.port() + "/x.git")) {
      assertThatThrownBy(() -> fetcher.fetch(url, null, 1, lines::add))
          .as(url)
          .isInstanceOfSatisfying(
              BadRepositoryException.class, e -> assertThat(e.retryable()).isFalse())
          .hasMessageStartingWith("repository not allowed: host ")
          .hasMessageContaining("loopback address");
    }

    assertThat(v4.connections()).isZero();
    assertThat(v6.connections()).isZero();
    assertThat(lines).isEmpty();
  }

  /** Nothing checked the URL before: the transport refuses on its own. */
  @Test
  void theTransportRefusesARefusedHostEvenWhenNothingCheckedTheUrlBefore() throws Exception {
    ConnectionCounter counter = closing(new ConnectionCounter(LOCAL_1));
    RepositoryPolicy strict = new RepositoryPolicy(false, AllowedHosts.none(), HostResolver.NONE);
    RemoteAccess remotes =
        closing(RemoteAccess.of(strict, RepositoryCredentials.none(), timeout()));
    MirrorCache mirrors = new MirrorCache(tmp.resolve("home"), timeout(), remotes);
    String url = "http://127.0.0.1:" + counter.port() + "/x.git";

    assertThatThrownBy(() -> mirrors.sync(TestPolicies.url(url), lines::add, m -> null))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessage(
            "repository not allowed: host 127.0.0.1 is a loopback address; Kiln fetches only from"
                + " public addresses unless kiln.repos.allow-hosts allows the host");
    assertThat(counter.connections()).isZero();
  }

  /**
   * DNS rebinding: the name resolves to an allowed address when it is checked and to another one
   * right after. Every answer is judged before a connection uses it, so the other address is never
   * reached.
   */
  @Test
  void aNameThatResolvesElsewhereAfterTheCheckNeverReachesTheOtherAddress() throws Exception {
    GitHttpServer allowed = closing(GitHttpServer.serving(LOCAL_1, origin.repository()));
    int port = Integer.parseInt(allowed.url("").replaceAll(".*:", ""));
    ConnectionCounter rebound = closing(new ConnectionCounter(LOCAL_2, port));
    AtomicInteger lookups = new AtomicInteger();
    HostResolver rebinding =
        host -> {
          if (!host.equals("rebind.test")) {
            throw new UnknownHostException(host);
          }
          return List.of(lookups.getAndIncrement() == 0 ? LOCAL_1 : LOCAL_2);
        };
    RepositoryPolicy policy =
        new RepositoryPolicy(false, AllowedHosts.of(List.of("127.0.0.1")), rebinding);

    assertThatThrownBy(
            () ->
                fetcher(policy).fetch("http://rebind.test:" + port + "/x.git", null, 1, lines::add))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessageStartingWith(
            "repository not allowed: host \"rebind.test\" resolves to a loopback address");
    assertThat(lookups.get()).isGreaterThanOrEqualTo(2);
    assertThat(rebound.connections()).isZero();
  }

  @Test
  void aRedirectToARefusedAddressIsNeverFollowed() throws Exception {
    ConnectionCounter target = closing(new ConnectionCounter(LOCAL_2));
    GitHttpServer redirecting =
        closing(GitHttpServer.redirecting(LOCAL_1, "http://127.0.0.2:" + target.port()));
    RepositoryPolicy firstHopOnly =
        new RepositoryPolicy(false, AllowedHosts.of(List.of("127.0.0.1")), HostResolver.NONE);
    String url = redirecting.url("/acme/app.git");

    assertThatThrownBy(() -> fetcher(firstHopOnly).fetch(url, null, 1, lines::add))
        .isInstanceOf(BadRepositoryException.class)
        .hasMessage(
            "repository not allowed: "
                + url
                + " redirected to a host Kiln does not fetch from (host 127.0.0.2 is a loopback"
                + " address; Kiln fetches only from public addresses unless kiln.repos.allow-hosts"
                + " allows the host)");
    assertThat(redirecting.requests).isNotEmpty();
    assertThat(target.connections()).isZero();
  }

  @Test
  void repositoryCredentialsFromASecretFileFetchAPrivateRepositoryAndAppearNowhere()
      throws Exception {
    GitHttpServer server =
        closing(
            GitHttpServer.servingWithCredentials(
                LOCAL_1, origin.repository(), "x-access-token", "s3cr3t-t0ken"));
    Path secret = Files.writeString(tmp.resolve("github-token"), "s3cr3t-t0ken\n");
    RepositoryCredentials credentials =
        new RepositoryCredentials(
            List.of(
                new RepositoryCredentials.Credential("127.0.0.1", "x-access-token", null, secret)));
    RepositoryPolicy policy =
        new RepositoryPolicy(false, AllowedHosts.of(List.of("127.0.0.1")), HostResolver.NONE);
    String url = server.url("/acme/private.git");

    CheckedOut checkedOut = fetcher(policy, credentials).fetch(url, null, 1, lines::add);

    assertThat(checkedOut.sha()).isEqualTo(tip.name());
    assertThat(server.requests).anyMatch(r -> r.authorization() != null);
    assertThat(lines).noneMatch(line -> line.contains("s3cr3t") || line.contains("x-access"));
    assertThat(String.valueOf(credentials)).doesNotContain("s3cr3t");
  }

  @Test
  void withoutRepositoryCredentialsAPrivateRepositorySaysWhatToConfigure() throws Exception {
    GitHttpServer server =
        closing(GitHttpServer.servingWithCredentials(LOCAL_1, origin.repository(), "u", "secret"));
    RepositoryPolicy policy =
        new RepositoryPolicy(false, AllowedHosts.of(List.of("127.0.0.1")), HostResolver.NONE);
    String url = server.url("/acme/private.git");

    assertThatThrownBy(() -> fetcher(policy).fetch(url, null, 1, lines::add))
        .isInstanceOf(RepositoryUnreachableException.class)
        .hasMessage(
            "fetch of "
                + url
                + " failed: the server asks for credentials: give the workers repository"
                + " credentials for 127.0.0.1 (kiln.repos.credentials)");
  }

  @Test
  void aRedirectToAnotherAllowedHostCarriesNoCredentials() throws Exception {
    GitHttpServer mirror = closing(GitHttpServer.serving(LOCAL_3, origin.repository()));
    GitHttpServer front =
        closing(
            GitHttpServer.redirectingWithCredentials(
                LOCAL_1, "ci", "front-secret", mirror.url("")));
    RepositoryCredentials credentials =
        new RepositoryCredentials(
            List.of(new RepositoryCredentials.Credential("127.0.0.1", "ci", "front-secret", null)));
    RepositoryPolicy policy =
        new RepositoryPolicy(false, AllowedHosts.of(List.of("127.0.0.0/8")), HostResolver.NONE);

    CheckedOut checkedOut =
        fetcher(policy, credentials).fetch(front.url("/acme/app.git"), null, 1, lines::add);

    assertThat(checkedOut.sha()).isEqualTo(tip.name());
    assertThat(front.requests).anyMatch(r -> r.authorization() != null);
    assertThat(mirror.requests).isNotEmpty().extracting(Request::authorization).containsOnlyNulls();
  }

  private GitFetcher fetcher(RepositoryPolicy policy) {
    return fetcher(policy, RepositoryCredentials.none());
  }

  private GitFetcher fetcher(RepositoryPolicy policy, RepositoryCredentials credentials) {
    RemoteAccess remotes = closing(RemoteAccess.of(policy, credentials, timeout()));
    return new GitFetcher(tmp.resolve("home"), policy, remotes);
  }

  private <T extends AutoCloseable> T closing(T closeable) {
    closeAfter.add(closeable);
    return closeable;
  }

  private static Duration timeout() {
    return Duration.ofSeconds(20);
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
