package dev.kiln.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
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
 *
 * <p>Every connection needs a password, made at the first start and kept in {@code
 * $KILN_HOME/postgres.password} (owner-only): zonky's clusters trust every local connection, and on
 * a shared machine anyone could then read the ledger and API token hashes, or write runs. A new
 * cluster gets the password from initdb, so it never trusts anyone; one made by an older dev stack
 * (trusting) gets it at its next start, before the api connects.
 */
final class DevPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevPostgres.class);

  static final String DATABASE = "kiln";
  static final String USER = "postgres";

  /** Marks a pg_hba.conf that asks for passwords; one without it trusts (an older dev stack's). */
  static final String HBA_MARKER = "# kiln dev stack: every connection needs the password";

  static final String HBA =
      HBA_MARKER
          + " in postgres.password\n"
          + "local all all scram-sha-256\n"
          + "host all all 127.0.0.1/32 scram-sha-256\n"
          + "host all all ::1/128 scram-sha-256\n";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final String password;

  private DevPostgres(EmbeddedPostgres postgres, Path dataDirectory, String password) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.password = password;
  }

  /**
   * Starts PostgreSQL on {@code port} (0: a free one), creating the cluster on first use.
   *
   * @param logFile where PostgreSQL's own output goes
   * @param passwordFile the superuser's password; made when missing
   */
  static DevPostgres start(Path dataDirectory, int port, Path logFile, Path passwordFile) {
    // postmaster.pid names the postmaster of a dev stack that died without stopping it.
    LeftoverProcess.endRecorded(dataDirectory.resolve("postmaster.pid"), "postgres", "PostgreSQL");
    if (port != 0) {
      Ports.requireFree("localhost", port, "PostgreSQL", DevStackConfig.POSTGRES_PORT.env());
    }
    setAsideUnfinishedCluster(dataDirectory);
    boolean fresh = !Files.exists(dataDirectory.resolve("PG_VERSION"));
    log.info(
        "Starting PostgreSQL ({} data directory {})", fresh ? "new" : "existing", dataDirectory);
    String password = password(passwordFile);
    try {
      Files.createDirectories(logFile.getParent());
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              // initdb --pwfile: a new cluster's superuser has the password from the start
              .setLocaleConfig("pwfile", passwordFile.toString())
              // zonky's own readiness check connects as the superuser
              .setConnectConfig("password", password)
              // before the server starts: a new cluster asks for passwords from its first moment
              .setDataDirectoryCustomizer(
                  directory -> {
                    if (fresh) {
                      writeHba(directory.toPath());
                    }
                  })
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
      DevPostgres dev = new DevPostgres(postgres, dataDirectory, password);
      try {
        dev.requirePasswords();
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

  /**
   * A cluster an older dev stack made trusts every local connection: give its superuser the
   * password, then make it ask for it.
   */
  private void requirePasswords() {
    Path hba = dataDirectory.resolve("pg_hba.conf");
    try {
      if (Files.readString(hba, StandardCharsets.UTF_8).startsWith(HBA_MARKER)) {
        return;
      }
      try (Connection c = postgres.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        // the password is base64url: nothing in it needs quoting
        s.execute("ALTER ROLE " + USER + " PASSWORD '" + password + "'");
        writeHba(dataDirectory);
        s.execute("SELECT pg_reload_conf()");
      }
      log.info("PostgreSQL in {} asks for a password now ({})", dataDirectory, HBA_MARKER);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException(
          "Cannot make PostgreSQL in " + dataDirectory + " ask for a password", e);
    }
  }

  private static void writeHba(Path dataDirectory) {
    try {
      Files.writeString(dataDirectory.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write pg_hba.conf in " + dataDirectory, e);
    }
  }

  /** The password in {@code file}, or a new one written there (owner-only). */
  static String password(Path file) {
    try {
      if (Files.exists(file)) {
        String existing = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!existing.isEmpty()) {
          return existing;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    String made = WorkerToken.generate(new SecureRandom()).value();
    OwnerOnlyFile.write(file, made);
    return made;
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
    return new DevStackConfig.DataSourceSettings(jdbcUrl(), USER, password);
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
