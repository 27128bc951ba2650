package dev.kiln.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded PostgreSQL (zonky) whose data directory lives in {@code $KILN_HOME/pg} and is kept
 * across restarts. The api gets a {@code kiln} database in it; schema is the api's business
 * (Flyway).
 */
final class DevPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevPostgres.class);

  static final String DATABASE = "kiln";
  static final String USER = "postgres";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private DevPostgres(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts PostgreSQL on {@code port} (0: a free one), creating the cluster on first use.
   *
   * @param logFile where PostgreSQL's own output goes
   */
  static DevPostgres start(Path dataDirectory, int port, Path logFile) {
    // postmaster.pid names the postmaster of a dev stack that died without stopping it.
    LeftoverProcess.endRecorded(dataDirectory.resolve("postmaster.pid"), "postgres", "PostgreSQL");
    if (port != 0) {
      Ports.requireFree("localhost", port, "PostgreSQL", DevStackConfig.POSTGRES_PORT.env());
    }
    setAsideUnfinishedCluster(dataDirectory);
    boolean fresh = !Files.exists(dataDirectory.resolve("PG_VERSION"));
    log.info(
        "Starting PostgreSQL ({} data directory {})", fresh ? "new" : "existing", dataDirectory);
    try {
      Files.createDirectories(logFile.getParent());
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              // The dev stack's single shutdown hook stops it, after the api that uses it.
              .setRegisterShutdownHook(false)
              .setPort(port)
              // zonky's defaults suit throw-away test databases; this one is kept.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "100")
              .setPGStartupWait(Duration.ofSeconds(60))
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      DevPostgres dev = new DevPostgres(postgres, dataDirectory);
      try {
        dev.createDatabaseIfMissing();
      } catch (RuntimeException e) {
        // Not yet handed to the stack, whose shutdown hook would stop it: stop it here.
        dev.close();
        throw e;
      }
      return dev;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot start PostgreSQL in " + dataDirectory + " (log: " + logFile + ")", e);
    }
  }

  /**
   * initdb refuses a non-empty directory, and a dev stack killed during the very first start can
   * leave one without a cluster in it. Moved rather than deleted: it might be someone's data.
   */
  private static void setAsideUnfinishedCluster(Path dataDirectory) {
    if (!Files.isDirectory(dataDirectory) || Files.exists(dataDirectory.resolve("PG_VERSION"))) {
      return;
    }
    try (Stream<Path> entries = Files.list(dataDirectory)) {
      if (entries.findAny().isEmpty()) {
        return;
      }
      Path aside =
          dataDirectory.resolveSibling(
              dataDirectory.getFileName() + ".unfinished-" + System.currentTimeMillis());
      Files.move(dataDirectory, aside);
      log.warn("{} held no complete PostgreSQL cluster; moved it to {}", dataDirectory, aside);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot inspect " + dataDirectory, e);
    }
  }

  private void createDatabaseIfMissing() {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement create = c.createStatement()) {
        create.execute("CREATE DATABASE " + DATABASE);
      }
      log.info("Created database {}", DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create database " + DATABASE, e);
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
  }

  int port() {
    return postgres.getPort();
  }

  DevStackConfig.DataSourceSettings dataSource() {
    // Trust authentication on loopback (initdb -A trust): no password.
    return new DevStackConfig.DataSourceSettings(jdbcUrl(), USER, "");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Could not stop PostgreSQL in {}: {}", dataDirectory, e.toString());
    }
  }
}
