package dev.kiln.dev;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.activities.process.sandbox.Sandbox;
import dev.kiln.dev.DevStackConfig.DataSourceSettings;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar kiln-dev.jar}: starts Temporal, PostgreSQL, the api and a worker with both
 * roles, overlapping what does not depend on each other, and prints {@code Kiln is up}. A Temporal
 * dev server or PostgreSQL that dies is restarted on the same data ({@link ChildSupervisor}); the
 * api and the worker ride out the seconds it is away. One shutdown hook stops them in reverse
 * order, so Ctrl-C leaves no process behind.
 */
public final class KilnDevStack {

  private static final String LOGBACK_CONFIG = "logback.configurationFile";

  // Not static: the logger must not exist before main() has pointed logback at its configuration.
  private final Logger log = LoggerFactory.getLogger(KilnDevStack.class);

  private final DevStackConfig config;
  private final Map<String, String> env;
  private final Path userHome;
  private final Deque<Component> running = new ArrayDeque<>();
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Restarts Temporal and PostgreSQL when they die; closed first when the stack stops. */
  private final ChildSupervisor supervisor =
      new ChildSupervisor(RestartBackoff.DEV_STACK, reason -> exitInBackground());

  private boolean stopping;
  private AutoCloseable homeLock;

  /** Something started, and how to stop it. */
  private record Component(String name, AutoCloseable stopper) {}

  KilnDevStack(DevStackConfig config, Map<String, String> env, Path userHome) {
    this.config = config;
    this.env = env;
    this.userHome = userHome;
  }

  public static void main(String[] args) throws InterruptedException {
    boolean tokenCommand = args.length > 0 && args[0].equals("token");
    boolean ownLogging = System.getProperty(LOGBACK_CONFIG) == null;
    if (ownLogging) {
      System.setProperty(
          LOGBACK_CONFIG, tokenCommand ? "kiln-dev-cli-logback.xml" : "kiln-dev-logback.xml");
    }
    if (tokenCommand) {
      // a command's output is what it prints, so it writes to the console itself
      PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, UTF_8), true);
      PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, UTF_8), true);
      System.exit(
          TokenCommand.run(
              Arrays.copyOfRange(args, 1, args.length),
              System.getenv(),
              System.getProperties(),
              out,
              err));
      return;
    }
    Logger log = LoggerFactory.getLogger(KilnDevStack.class);
    if (ownLogging) {
      // Spring configures logging per context through logging.config and warns about this one.
      System.clearProperty(LOGBACK_CONFIG);
    }
    log.info("JIT: {}", JitMode.current());
    if (args.length > 0 && !args[0].startsWith("--")) {
      runJoining(log, args);
      return;
    }
    DevStackConfig config;
    try {
      config = DevStackConfig.load(args, System.getenv(), System.getProperties());
    } catch (IllegalArgumentException e) {
      log.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    KilnApplications.initializeLogging();
    KilnDevStack stack =
        new KilnDevStack(config, System.getenv(), Path.of(System.getProperty("user.home")));
    Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "kiln-dev-stop"));
    try {
      stack.start();
    } catch (RuntimeException e) {
      log.error("Kiln did not start: {}", describe(e));
      log.debug("Startup failure", e);
      System.exit(1);
    }
    stack.stopped.await();
  }

  /**
   * {@code kiln-dev.jar worker|api [--name=value…]}: one more process for a stack that runs
   * already. It lives until SIGTERM, which Spring's own shutdown hook turns into a clean stop.
   */
  private static void runJoining(Logger log, String[] args) {
    Optional<JoinConfig.Mode> mode = JoinConfig.Mode.parse(args[0]);
    if (mode.isEmpty()) {
      log.error(
          "Unknown mode '{}': run kiln-dev.jar with no mode (the whole stack), with worker or"
              + " api to add one process to a running stack, or with token to make API tokens",
          args[0]);
      System.exit(2);
      return;
    }
    JoinConfig config;
    try {
      config =
          JoinConfig.load(
              mode.get(),
              Arrays.copyOfRange(args, 1, args.length),
              System.getenv(),
              System.getProperties());
    } catch (IllegalArgumentException e) {
      log.error("{}", e.getMessage());
      System.exit(2);
      return;
    }
    try {
      KilnHome home = KilnHome.prepare(config.kilnHome());
      if (config.mode() == JoinConfig.Mode.WORKER) {
        // Held until the JVM ends: another worker or a dev stack on the same directory would mix
        // workspaces and kill each other's process groups at start.
        try {
          home.lock();
        } catch (IllegalStateException e) {
          log.error("{}", e.getMessage());
          System.exit(2);
          return;
        }
      }
      log.info("Starting a Kiln {} (KILN_HOME {})", config.mode(), home);
      KilnApplications.startJoining(config);
      log.info("The Kiln {} is running", config.mode());
    } catch (RuntimeException e) {
      log.error("The Kiln {} did not start: {}", config.mode(), describe(e));
      log.debug("Startup failure", e);
      System.exit(1);
    }
  }

  void start() {
    long began = System.nanoTime();
    KilnHome home = KilnHome.prepare(config.kilnHome());
    lockHome(home);
    log.info("KILN_HOME is {}", home);
    WorkerToken token = WorkerToken.generate(new SecureRandom());
    token.writeTo(home.workerTokenFile());
    SecretsKeyFile.ensure(home.root(), System.getenv(), new SecureRandom());

    // What can overlap does: PostgreSQL starts while the Temporal CLI is found (or installed) and
    // its server starts, and the api, whose Temporal client connects lazily, while that server
    // gets ready. The worker polls Temporal, so it starts once the server is ready.
    CompletableFuture<Database> database =
        CompletableFuture.supplyAsync(() -> startDatabase(home), inBackground("kiln-dev-postgres"));
    TemporalService temporal;
    try {
      temporal = launchTemporal(home);
    } catch (RuntimeException e) {
      // Registered (so the shutdown hook stops it) before this failure ends the JVM.
      database.exceptionally(ignored -> null).join();
      throw e;
    }
    CompletableFuture<Void> temporalReady =
        CompletableFuture.runAsync(
            () -> {
              temporal.awaitReady();
              log.info("Temporal is ready: {}", temporal.description());
              temporal.supervised().ifPresent(supervisor::watch);
            },
            inBackground("kiln-dev-temporal"));
    Database db = joinUnwrapped(database);
    DataSourceSettings dataSource = db.settings();
    String postgres = db.description();

    KilnApplications.Settings settings =
        new KilnApplications.Settings(
            home.root(),
            temporal.address(),
            temporal.uiUrl(),
            dataSource,
            config.serverAddress(),
            config.serverPort(),
            token);
    log.info("Starting the api");
    ConfigurableApplicationContext api = KilnApplications.startApi(settings);
    started("the api", api);
    int apiPort = KilnApplications.port(api);
    log.info("The api listens on port {}", apiPort);
    joinUnwrapped(temporalReady);
    log.info("Starting a worker (roles control, build)");
    ConfigurableApplicationContext worker = KilnApplications.startWorker(settings, apiPort);
    started("the worker", worker);
    DevStackEnv.write(
        home.devStackEnvFile(),
        DevStackEnv.variables(
            "http://127.0.0.1:" + apiPort, temporal.address(), dataSource, home.workerTokenFile()));

    ReadyBanner.print(
        new ReadyBanner.Facts(
            "http://localhost:" + apiPort,
            temporal,
            postgres,
            home.root(),
            home.workerTokenFile(),
            ReadyBanner.ExampleRepository.detect(Path.of("")),
            worker.getBean(Sandbox.class).describe()),
        (System.nanoTime() - began) / 1_000_000);
  }

  /** Starts the server, or names it; {@link TemporalService#awaitReady} is still to come. */
  private TemporalService launchTemporal(KilnHome home) {
    TemporalService temporal = new TemporalProvisioner(config, home, env, userHome).provision();
    started("Temporal", temporal);
    return temporal;
  }

  /** The database the api gets, and one line about it for the banner. */
  private record Database(DataSourceSettings settings, String description) {}

  private Database startDatabase(KilnHome home) {
    if (config.dataSource().isPresent()) {
      DataSourceSettings dataSource = config.dataSource().get();
      log.info("Using PostgreSQL at {}; starting none", dataSource.url());
      return new Database(dataSource, dataSource.url() + " (spring.datasource.url)");
    }
    DevPostgres embedded =
        DevPostgres.start(
            home.postgresData(),
            // picked here, not by zonky's bind(0): see Ports.freePort
            Ports.orFree(config.postgresPort()),
            home.logs().resolve("postgres.log"),
            home.postgresPasswordFile());
    started("PostgreSQL", embedded);
    supervisor.watch(embedded.supervised());
    DataSourceSettings dataSource = embedded.dataSource();
    log.info("PostgreSQL is ready: {}", dataSource.url());
    return new Database(
        dataSource,
        dataSource.url()
            + " (user "
            + dataSource.username()
            + ", data in "
            + home.postgresData()
            + ")");
  }

  /** An executor that runs its one task in a daemon thread of this name. */
  private static Executor inBackground(String threadName) {
    return task -> {
      Thread thread = new Thread(task, threadName);
      thread.setDaemon(true);
      thread.start();
    };
  }

  private static <T> T joinUnwrapped(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private synchronized void lockHome(KilnHome home) {
    if (stopping) {
      throw new IllegalStateException("stopped before startup finished");
    }
    homeLock = home.lock();
  }

  /**
   * Records a started component for {@link #stop}. A component that starts while the stack is
   * already stopping (Ctrl-C during startup) is stopped right away.
   */
  private synchronized void started(String name, AutoCloseable stopper) {
    if (stopping) {
      close(new Component(name, stopper));
      throw new IllegalStateException("stopped before startup finished");
    }
    running.push(new Component(name, stopper));
  }

  /**
   * The shutdown hook: the reverse of the start order (worker, api, then PostgreSQL and Temporal).
   */
  synchronized void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    // before any child stops: a deliberate stop is no death to restart
    supervisor.close();
    if (!running.isEmpty()) {
      log.info("Stopping Kiln");
    }
    while (!running.isEmpty()) {
      close(running.pop());
    }
    if (homeLock != null) {
      try {
        homeLock.close();
      } catch (Exception e) {
        log.debug("Could not release the KILN_HOME lock: {}", e.toString());
      }
    }
    log.info("Kiln stopped");
    stopped.countDown();
  }

  private void close(Component component) {
    log.info("Stopping {}", component.name());
    try {
      component.stopper().close();
    } catch (Exception e) {
      log.warn("Could not stop {} cleanly: {}", component.name(), describe(e));
    }
  }

  /** Exits from outside the thread that noticed, since exiting runs the hook, which waits on it. */
  private static void exitInBackground() {
    new Thread(() -> System.exit(1), "kiln-dev-exit").start();
  }

  /** The message and its causes, one line; the stack trace only helps when the message does not. */
  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.toString());
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      text.append(" (caused by ").append(cause).append(')');
    }
    return text.toString();
  }
}
