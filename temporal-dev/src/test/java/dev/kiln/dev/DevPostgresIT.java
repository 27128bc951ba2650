package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPostgresIT {

  @TempDir Path tmp;

  @Test
  void keepsDataAcrossARestart() throws SQLException {
    Path data = tmp.resolve("pg");
    Path log = tmp.resolve("logs/postgres.log");

    try (DevPostgres first = DevPostgres.start(data, 0, log, tmp.resolve("pw"))) {
      assertThat(first.jdbcUrl())
          .isEqualTo("jdbc:postgresql://localhost:" + first.port() + "/kiln");
      execute(
          first, "CREATE TABLE survivors (name text)", "INSERT INTO survivors VALUES ('run 1')");
    }

    int port = Ports.freePort();
    try (DevPostgres second = DevPostgres.start(data, port, log, tmp.resolve("pw"))) {
      assertThat(second.port()).isEqualTo(port);
      try (Connection c = connect(second);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT name FROM survivors")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("run 1");
      }
    }
    assertThat(data.resolve("postmaster.pid")).doesNotExist();
  }

  @Test
  void setsAsideADataDirectoryThatHoldsNoCluster() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("pg"));
    Files.writeString(data.resolve("half-written"), "initdb was killed");

    try (DevPostgres postgres =
        DevPostgres.start(data, 0, tmp.resolve("postgres.log"), tmp.resolve("pw"))) {
      execute(postgres, "SELECT 1");
    }

    try (var siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .anyMatch(name -> name.startsWith("pg.unfinished-"));
    }
  }

  @Test
  void refusesAConnectionWithoutThePasswordAndKeepsThePasswordOwnerOnly() throws Exception {
    Path passwordFile = tmp.resolve("postgres.password");
    try (DevPostgres postgres =
        DevPostgres.start(tmp.resolve("pg"), 0, tmp.resolve("postgres.log"), passwordFile)) {
      String password = Files.readString(passwordFile).trim();
      assertThat(postgres.dataSource().password()).isEqualTo(password).hasSizeGreaterThan(40);
      assertThat(Files.getPosixFilePermissions(passwordFile))
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

      assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl(), "postgres", ""))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("password");
      assertThatThrownBy(
              () -> DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "not-it"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("password authentication failed");
      execute(postgres, "SELECT 1");
    }
  }

  @Test
  void aClusterAnOlderDevStackMadeTrustingAsksForThePasswordFromItsNextStart() throws Exception {
    Path data = tmp.resolve("pg");
    // what the dev stack did before: zonky's defaults, initdb -A trust, no password
    try (EmbeddedPostgres old =
            EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .start();
        Connection c = old.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE survivors (name text)");
      s.execute("INSERT INTO survivors VALUES ('from before')");
    }

    try (DevPostgres postgres =
        DevPostgres.start(data, 0, tmp.resolve("postgres.log"), tmp.resolve("pw"))) {
      assertThatThrownBy(
              () ->
                  DriverManager.getConnection(
                      "jdbc:postgresql://localhost:" + postgres.port() + "/postgres",
                      "postgres",
                      ""))
          .isInstanceOf(SQLException.class);
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://localhost:" + postgres.port() + "/postgres",
                  "postgres",
                  postgres.dataSource().password());
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT name FROM survivors")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("from before");
      }
    }
    // and the next start, with the cluster asking for it already, connects as well
    try (DevPostgres again =
        DevPostgres.start(data, 0, tmp.resolve("postgres.log"), tmp.resolve("pw"))) {
      execute(again, "SELECT 1");
    }
  }

  @Test
  void aKilledPostmasterIsNoticedAndRestartedOnTheSameDataAndPort() throws Exception {
    Path data = tmp.resolve("pg");
    try (DevPostgres postgres =
        DevPostgres.start(data, 0, tmp.resolve("postgres.log"), tmp.resolve("pw"))) {
      execute(postgres, "CREATE TABLE survivors (name text)", "INSERT INTO survivors VALUES ('x')");
      SupervisedChild child = postgres.supervised();
      CompletableFuture<String> exited = child.exited();
      ProcessHandle postmaster = postmaster(data);

      postmaster.destroyForcibly();

      assertThat(exited.get(10, TimeUnit.SECONDS))
          .startsWith("postmaster pid " + postmaster.pid() + " gone");
      // its backends end when they notice, and until then hold its shared memory: try again
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                child.restart();
                return true;
              });
      assertThat(postmaster(data).pid()).isNotEqualTo(postmaster.pid());
      try (Connection c = connect(postgres);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT name FROM survivors")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("x");
      }
      assertThat(child.exited()).isNotDone();
    }
    assertThat(data.resolve("postmaster.pid")).doesNotExist();
  }

  private static ProcessHandle postmaster(Path data) throws Exception {
    String pid = Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim();
    return ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
  }

  private static Connection connect(DevPostgres postgres) throws SQLException {
    var ds = postgres.dataSource();
    return DriverManager.getConnection(ds.url(), ds.username(), ds.password());
  }

  private static void execute(DevPostgres postgres, String... sql) throws SQLException {
    try (Connection c = connect(postgres);
        Statement s = c.createStatement()) {
      for (String statement : sql) {
        s.execute(statement);
      }
    }
  }
}
