package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPostgresIT {

  @TempDir Path tmp;

  @Test
  void keepsDataAcrossARestart() throws SQLException {
    Path data = tmp.resolve("pg");
    Path log = tmp.resolve("logs/postgres.log");

    try (DevPostgres first = DevPostgres.start(data, 0, log)) {
      assertThat(first.jdbcUrl())
          .isEqualTo("jdbc:postgresql://localhost:" + first.port() + "/kiln");
      execute(
          first, "CREATE TABLE survivors (name text)", "INSERT INTO survivors VALUES ('run 1')");
    }

    int port = Ports.freePort();
    try (DevPostgres second = DevPostgres.start(data, port, log)) {
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

    try (DevPostgres postgres = DevPostgres.start(data, 0, tmp.resolve("postgres.log"))) {
      execute(postgres, "SELECT 1");
    }

    try (var siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString()))
          .anyMatch(name -> name.startsWith("pg.unfinished-"));
    }
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
