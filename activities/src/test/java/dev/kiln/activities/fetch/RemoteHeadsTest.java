package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.workflows.internal.InternalBodies.Head;
import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteHeadsTest {

  @TempDir Path tmp;

  OriginRepo origin;
  RemoteAccess remotes;

  @BeforeEach
  void setUp() throws Exception {
    origin = OriginRepo.create(tmp.resolve("origin"));
    remotes =
        RemoteAccess.of(
            TestPolicies.localAndLoopback(), RepositoryCredentials.none(), Duration.ofSeconds(20));
  }

  @AfterEach
  void tearDown() {
    origin.close();
    remotes.close();
  }

  @Test
  void listsEveryBranchWithItsCommitAndNoTag() throws Exception {
    RevCommit first = origin.commit("a.txt", "1\n");
    origin.lightweightTag("v1", first);
    origin.branch("release/1");
    RevCommit tip = origin.commit("a.txt", "2\n");

    List<Head> heads =
        new RemoteHeads(TestPolicies.localAndLoopback(), remotes, Duration.ofSeconds(20))
            .list(origin.url());

    assertThat(heads)
        .containsExactly(new Head("main", tip.name()), new Head("release/1", first.name()));
  }

  @Test
  void listsOverHttpThroughThePinnedTransport() throws Exception {
    RevCommit tip = origin.commit("a.txt", "1\n");
    try (GitHttpServer server =
        GitHttpServer.serving(InetAddress.getByName("127.0.0.1"), origin.repository())) {
      List<Head> heads =
          new RemoteHeads(TestPolicies.localAndLoopback(), remotes, Duration.ofSeconds(20))
              .list(server.url("/origin.git"));

      assertThat(heads).containsExactly(new Head("main", tip.name()));
    }
  }

  @Test
  void aHostThePolicyRefusesIsNeverConnectedTo() throws Exception {
    RepositoryPolicy strict = new RepositoryPolicy(false, AllowedHosts.none(), HostResolver.NONE);
    try (ConnectionCounter counter = new ConnectionCounter(InetAddress.getByName("127.0.0.1"));
        RemoteAccess strictRemotes =
            RemoteAccess.of(strict, RepositoryCredentials.none(), Duration.ofSeconds(5))) {
      RemoteHeads heads = new RemoteHeads(strict, strictRemotes, Duration.ofSeconds(5));

      assertThatThrownBy(() -> heads.list("http://127.0.0.1:" + counter.port() + "/x.git"))
          .isInstanceOf(BadRepositoryException.class)
          .hasMessageStartingWith("repository not allowed: host 127.0.0.1 is a loopback address");
      assertThat(counter.connections()).isZero();
    }
  }

  @Test
  void aMissingRepositoryIsSaidToBeMissingAsAFetchSaysIt() {
    RemoteHeads heads =
        new RemoteHeads(TestPolicies.localAndLoopback(), remotes, Duration.ofSeconds(20));

    assertThatThrownBy(() -> heads.list(tmp.resolve("nothing").toUri().toString()))
        .isInstanceOf(FetchException.class)
        .hasMessageContaining("no git repository there");
  }
}
