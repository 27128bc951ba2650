package dev.kiln.dev;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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

  /**
   * The server's settings, at the first start (through zonky, whose defaults for throw-away test
   * databases they replace: this cluster is kept) and at every restart (through {@code pg_ctl}).
   */
  static final Map<String, String> SERVER_CONFIG =
      Map.of(
          "timezone", "UTC",
          "fsync", "on",
          "synchronous_commit", "on",
          "max_connections", "100");

  /**
   * How often the supervisor looks whether the postmaster still runs. A dead postmaster is found
   * within a second and restarted (after the backoff and its crash recovery); the api answers 503
   * meanwhile. Five looks a second took about 5 ms of the stack's CPU during a 3 s build.
   */
  private static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);

  /** A restart's {@code pg_ctl start -w}: crash recovery replays the WAL first. */
  private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(60);

  private static final ScheduledExecutorService WATCHER =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread thread = new Thread(task, "kiln-dev-postgres-watch");
            thread.setDaemon(true);
            return thread;
          });

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;
  private final String password;
  private final Path logFile;

  /** {@code pg_ctl} beside the running {@code postgres}, for restarts; empty when not found. */
  private final Optional<Path> pgCtl;

  private volatile ProcessHandle postmaster;
  private boolean closing;

  private DevPostgres(
      EmbeddedPostgres postgres, Path dataDirectory, String password, Path logFile) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
    this.password = password;
    this.logFile = logFile;
    this.postmaster = runningPostmaster(dataDirectory).orElse(null);
    this.pgCtl =
        Optional.ofNullable(postmaster)
            .flatMap(p -> p.info().command())
            .map(command -> Path.of(command).resolveSibling("pg_ctl"))
            .filter(Files::isExecutable);
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
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
      SERVER_CONFIG.forEach(builder::setServerConfig);
      EmbeddedPostgres postgres =
          builder
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
              .setPGStartupWait(Duration.ofSeconds(60))
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      DevPostgres dev = new DevPostgres(postgres, dataDirectory, password, logFile);
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

  /** The postmaster that {@code postmaster.pid} names, when it runs. */
  private static Optional<ProcessHandle> runningPostmaster(Path dataDirectory) {
    return LeftoverProcess.readPid(dataDirectory.resolve("postmaster.pid"))
        .flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive);
  }

  /** What the stack's {@link ChildSupervisor} watches and restarts. */
  SupervisedChild supervised() {
    return new SupervisedChild() {
      @Override
      public String name() {
        return "PostgreSQL";
      }

      @Override
      public CompletableFuture<String> exited() {
        return postmasterGone();
      }

      @Override
      public void restart() {
        restartPostmaster();
      }
    };
  }

  /**
   * Completes once the postmaster is gone. zonky starts it through {@code pg_ctl}, so it is not
   * this JVM's child: it is watched by its pid (and start time, so a reused pid is not mistaken for
   * it), and its exit status is not ours to read; PostgreSQL's log may say why it ended.
   */
  private CompletableFuture<String> postmasterGone() {
    ProcessHandle watched = postmaster;
    CompletableFuture<String> gone = new CompletableFuture<>();
    if (watched == null) {
      return gone;
    }
    ScheduledFuture<?> poll =
        WATCHER.scheduleWithFixedDelay(
            () -> {
              if (!watched.isAlive()) {
                gone.complete(
                    "postmaster pid "
                        + watched.pid()
                        + " gone; pg_ctl started it, so its exit status is unknown here, see "
                        + logFile);
              }
            },
            WATCH_INTERVAL.toMillis(),
            WATCH_INTERVAL.toMillis(),
            TimeUnit.MILLISECONDS);
    gone.whenComplete((how, e) -> poll.cancel(false));
    return gone;
  }

  /**
   * Starts a new postmaster on the same data directory and port with {@code pg_ctl start -w}, as
   * zonky did, and returns once it accepts connections (after crash recovery). Backends of the dead
   * postmaster that still hold its shared memory make the start fail; the supervisor tries again.
   */
  private synchronized void restartPostmaster() {
    if (closing) {
      throw new IllegalStateException("the dev stack is stopping");
    }
    Path ctl =
        pgCtl.orElseThrow(
            () -> new IllegalStateException("pg_ctl of the first start was not found"));
    List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port()), "-F"));
    SERVER_CONFIG.forEach((key, value) -> options.addAll(List.of("-c", key + "=" + value)));
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      // as zonky runs its commands: pg_ctl refuses root, and is no root in a user namespace
      command.addAll(List.of("unshare", "-U"));
    }
    command.addAll(
        List.of(
            ctl.toString(),
            "-D",
            dataDirectory.toString(),
            "-o",
            String.join(" ", options),
            "-w",
            "-t",
            Long.toString(RESTART_TIMEOUT.toSeconds()),
            "start"));
    try {
      Process pgCtlStart =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      pgCtlStart.getOutputStream().close();
      if (!pgCtlStart.waitFor(RESTART_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
        pgCtlStart.destroyForcibly();
        throw new IllegalStateException("pg_ctl start did not return (log: " + logFile + ")");
      }
      if (pgCtlStart.exitValue() != 0) {
        throw new IllegalStateException(
            "pg_ctl start ended with " + pgCtlStart.exitValue() + " (log: " + logFile + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + ctl, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while restarting PostgreSQL", e);
    }
    postmaster =
        runningPostmaster(dataDirectory)
            .orElseThrow(
                () -> new IllegalStateException("no running postmaster after pg_ctl start"));
  }

  /** Stops whichever postmaster runs now: zonky's {@code pg_ctl stop} reads postmaster.pid. */
  @Override
  public void close() {
    synchronized (this) {
      closing = true;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Could not stop PostgreSQL in {}: {}", dataDirectory, e.toString());
    }
  }
}
