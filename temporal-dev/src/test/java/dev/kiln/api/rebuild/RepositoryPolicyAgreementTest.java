package dev.kiln.api.rebuild;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.fetch.GitFetcher;
import dev.kiln.activities.fetch.RemoteAccess;
import dev.kiln.activities.fetch.RepositoryCredentials;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The api refuses at submit exactly what the worker refuses at fetch: each case goes through the
 * api's {@code POST /rebuild} validator and through the worker's {@link GitFetcher}, with one
 * repository policy and one resolver the test controls. Both must give the same verdict, for the
 * same reason, and the verdict the table expects.
 *
 * <p>Accepted network URLs resolve to 127.0.0.1 (allowed here) on a port where nothing listens, so
 * the worker's fetch fails to connect without any traffic leaving this machine; refused ones never
 * connect at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RepositoryPolicyAgreementTest {

  static final String ACCEPTED = "accepted";

  static final HostResolver RESOLVER =
      host -> {
        List<String> literals =
            Map.of(
                    "git.test", List.of("127.0.0.1"),
                    "intranet.test", List.of("10.1.2.3"),
                    "metadata.test", List.of("169.254.169.254"),
                    "multicast.test", List.of("224.0.0.251"),
                    "ula.test", List.of("fd00::1"),
                    "rebound.test", List.of("127.0.0.1", "127.0.0.2"))
                .get(host);
        if (literals == null) {
          throw new UnknownHostException(host + " (not known to the test's resolver)");
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (String literal : literals) {
          addresses.add(InetAddress.getByName(literal));
        }
        return addresses;
      };

  static final RepositoryPolicy POLICY =
      new RepositoryPolicy(true, AllowedHosts.of(List.of("127.0.0.1")), RESOLVER);

  String origin;
  int closedPort;
  RemoteAccess remotes;
  GitFetcher fetcher;
  RebuildValidator validator;
  final AtomicLong runIds = new AtomicLong();

  @BeforeAll
  void setUp(@TempDir Path temp) throws Exception {
    Path dir = temp.resolve("origin");
    try (Git git = Git.init().setInitialBranch("main").setDirectory(dir.toFile()).call()) {
      Files.writeString(dir.resolve("Makefile"), "all:\n\ttrue\n");
      git.add().addFilepattern("Makefile").call();
      git.commit().setMessage("first").setAuthor("t", "t@test").setCommitter("t", "t@test").call();
      git.tag().setName("v1").call();
    }
    origin = dir.toUri().toString();
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    remotes = RemoteAccess.of(POLICY, RepositoryCredentials.none(), Duration.ofSeconds(10));
    fetcher = new GitFetcher(temp.resolve("worker-home"), POLICY, remotes);
    validator = new RebuildValidator(List.of("x86_64"), POLICY, "x86_64");
  }

  @AfterAll
  void tearDown() {
    remotes.close();
  }

  Stream<Arguments> cases() {
    String net = "https://git.test:" + closedPort;
    return Stream.of(
        // repositories
        Arguments.of(net + "/team/app.git", null, ACCEPTED),
        Arguments.of("HTTP://GIT.TEST:" + closedPort + "/team/app.git", null, ACCEPTED),
        Arguments.of("http://127.0.0.1:" + closedPort + "/app.git", null, ACCEPTED),
        Arguments.of("https://unknown.test/app.git", null, ACCEPTED),
        Arguments.of("ORIGIN", null, ACCEPTED),
        Arguments.of("git+ssh://git@git.test/app.git", null, "repo: scheme \"git+ssh://\""),
        Arguments.of("ssh+git://git.test/app.git", null, "repo: scheme \"ssh+git://\""),
        Arguments.of("ssh://git.test/app.git", null, "repo: scheme \"ssh://\""),
        Arguments.of("git@git.test:team/app.git", null, "repo: ssh addresses"),
        Arguments.of("git://git.test/app.git", null, "repo: scheme \"git://\""),
        Arguments.of("ftp://git.test/app.git", null, "repo: scheme \"ftp://\""),
        Arguments.of("ext::sh -c id", null, "repo: transport \"ext::\""),
        Arguments.of("/srv/git/app.git", null, "repo: local paths are not allowed"),
        Arguments.of("https://ci:t0ken@git.test/app.git", null, "repo: must not contain a user"),
        Arguments.of("https://git.test/a/../b.git", null, "repo: must not contain \".\""),
        Arguments.of("http://127.0.0.2/x.git", null, "repo: host 127.0.0.2 is a loopback"),
        Arguments.of("http://[::1]/x.git", null, "repo: host [::1] is a loopback"),
        Arguments.of("http://0x7f.1/x.git", null, "repo: host \"0x7f.1\" is the IPv4 address"),
        Arguments.of("http://2130706433/x.git", null, "repo: host \"2130706433\" is the IPv4"),
        Arguments.of(
            "http://[::ffff:127.0.0.2]/x.git", null, "repo: host [::ffff:127.0.0.2] is a loopback"),
        Arguments.of("https://rebound.test/x.git", null, "repo: host \"rebound.test\" resolves"),
        Arguments.of("https://intranet.test/x.git", null, "repo: host \"intranet.test\" resolves"),
        Arguments.of("https://metadata.test/x.git", null, "repo: host \"metadata.test\" resolves"),
        Arguments.of("https://multicast.test/x.git", null, "repo: host \"multicast.test\""),
        Arguments.of("https://ula.test/x.git", null, "repo: host \"ula.test\" resolves"),
        // refs
        Arguments.of("ORIGIN", "main", ACCEPTED),
        Arguments.of("ORIGIN", "refs/heads/main", ACCEPTED),
        Arguments.of("ORIGIN", "v1", ACCEPTED),
        Arguments.of("ORIGIN", "no-such-branch", ACCEPTED),
        Arguments.of("ORIGIN", "main~1", "ref: must not contain \"~\""),
        Arguments.of("ORIGIN", "main^", "ref: must not contain \"^\""),
        Arguments.of("ORIGIN", "main@{1}", "ref: must not contain \"@{\""),
        Arguments.of("ORIGIN", "@", "ref: must not contain \"@{\" or be \"@\""),
        Arguments.of("ORIGIN", "a..b", "ref: must not contain \"..\""),
        Arguments.of("ORIGIN", "-x", "ref: must not start with \"-\""),
        Arguments.of("ORIGIN", "", "ref: must not be empty"),
        Arguments.of("ORIGIN", "a b", "ref: must not contain whitespace"),
        Arguments.of("ORIGIN", "feature/.x", "ref: no part between slashes may start with"),
        Arguments.of("ORIGIN", "main.lock", "ref: no part between slashes may end with"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void theApiRefusesAtSubmitExactlyWhatTheWorkerRefusesAtFetch(
      String repo, String ref, String expected) {
    String url = repo.equals("ORIGIN") ? origin : repo;

    String atSubmit = submit(url, ref);
    String atFetch = fetch(url, ref);

    assertThat(atFetch).as("the worker's verdict").isEqualTo(atSubmit);
    if (expected.equals(ACCEPTED)) {
      assertThat(atSubmit).isEqualTo(ACCEPTED);
    } else {
      assertThat(atSubmit).startsWith(expected);
    }
  }

  /** {@code accepted}, or the problem's detail: {@code repo: <reason>}, {@code ref: <reason>}. */
  private String submit(String repo, String ref) {
    try {
      validator.validate(new RebuildBody(repo, ref, null, null, null, null, null, null), null);
      return ACCEPTED;
    } catch (ApiException e) {
      assertThat(e.getStatusCode().value()).isEqualTo(400);
      return e.getBody().getDetail();
    }
  }

  /**
   * {@code accepted} when the policy let the fetch go on, whatever happened next (a checkout, a ref
   * not found, a port where nothing listens); else the refusal in the api's words.
   */
  private String fetch(String repo, String ref) {
    try {
      fetcher.fetch(repo, ref, runIds.incrementAndGet(), line -> {});
      return ACCEPTED;
    } catch (Exception e) {
      String message = String.valueOf(e.getMessage());
      if (message.startsWith("repository not allowed: ")) {
        return "repo: " + message.substring("repository not allowed: ".length());
      }
      if (message.startsWith("ref not allowed: ")) {
        return "ref: " + message.substring("ref not allowed: ".length());
      }
      return ACCEPTED;
    }
  }
}
