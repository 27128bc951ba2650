package dev.kiln.dev;

import dev.kiln.api.auth.ApiTokens;
import dev.kiln.api.auth.AuthProperties;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.auth.StoredToken;
import dev.kiln.api.auth.TokenRequests;
import dev.kiln.api.auth.TokenStore;
import dev.kiln.api.web.ApiException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln-dev.jar token create|list|delete}: API tokens made straight in Kiln's database, for
 * the first tokens of an installation (nobody holds a token yet that could call {@code POST
 * /tokens}) and for scripts on the machine. The database is the running dev stack's (its {@code
 * $KILN_HOME/dev-stack.env}) or {@code SPRING_DATASOURCE_URL} (with {@code _USERNAME}, {@code
 * _PASSWORD}); the api must have started on it once, which creates the tables.
 *
 * <p>{@code create} prints the token alone on standard output, so {@code TOKEN=$(java -jar
 * kiln-dev.jar token create --scopes read)} works; what it made goes to standard error.
 */
@Command(
    name = "kiln-dev.jar token",
    description = "Make, list and delete Kiln API tokens in the database.",
    mixinStandardHelpOptions = true,
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Delete.class
    })
final class TokenCommand implements Runnable {

  /** Exit status of a refused request (a bad scope, a name in use) or missing settings. */
  static final int USAGE = 2;

  /** Exit status when the database cannot be used. */
  static final int FAILED = 1;

  @Spec CommandSpec spec;

  private final Map<String, String> env;
  private final Properties system;
  private final Clock clock;

  TokenCommand(Map<String, String> env, Properties system, Clock clock) {
    this.env = env;
    this.system = system;
    this.clock = clock;
  }

  /** Runs the command line; the answer is the process's exit status. */
  static int run(
      String[] args, Map<String, String> env, Properties system, PrintWriter out, PrintWriter err) {
    TokenCommand command = new TokenCommand(env, system, Clock.systemUTC());
    CommandLine line = new CommandLine(command, new Factory(command));
    line.setOut(out);
    line.setErr(err);
    line.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ApiException refused) {
            cmd.getErr().println(refused.getBody().getDetail());
            return USAGE;
          }
          if (e instanceof IllegalArgumentException missing) {
            cmd.getErr().println(missing.getMessage());
            return USAGE;
          }
          if (e instanceof DataAccessException database) {
            cmd.getErr().println(describe(database));
            return FAILED;
          }
          throw e;
        });
    return line.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  @Command(
      name = "create",
      description = "Make a token and print it; it is shown only this once.",
      mixinStandardHelpOptions = true)
  static final class Create implements Callable<Integer> {

    @CommandLine.ParentCommand TokenCommand parent;
    @Spec CommandSpec spec;

    @Option(
        names = "--name",
        description = "Who or what uses it, unique among live tokens (default: cli-<time>).")
    String name;

    @Option(
        names = "--scopes",
        split = ",",
        required = true,
        description = "read, trigger, cancel, urgent, metrics, admin (comma-separated).")
    List<String> scopes;

    @Option(
        names = "--repos",
        split = ",",
        description =
            "Repository URL patterns it may act on, comma-separated: * within a path segment,"
                + " ** across (default: every repository).")
    List<String> repos;

    @Option(
        names = "--expires-in-days",
        description = "Days until it stops working; 0: never (default: 90).")
    Integer expiresInDays;

    @Override
    public Integer call() {
      Instant now = parent.clock.instant();
      TokenRequests.Checked checked =
          TokenRequests.check(
              name != null ? name : "cli-" + STAMP.format(now),
              scopes,
              repos,
              null,
              expiresInDays,
              DEFAULT_LIFETIME,
              parent.clock);
      ApiTokens.Created created;
      try {
        created =
            parent
                .tokens()
                .create(
                    checked.name(),
                    checked.scopes(),
                    checked.repos(),
                    checked.expiresAt(),
                    "kiln-dev.jar token create (" + whoAmI(parent.system) + ")");
      } catch (DuplicateKeyException e) {
        spec.commandLine()
            .getErr()
            .println(
                "a live token is called \"" + checked.name() + "\" already; pick another --name");
        return USAGE;
      }
      StoredToken token = created.token();
      spec.commandLine().getOut().println(created.secret());
      spec.commandLine()
          .getErr()
          .printf(
              "Made token %d \"%s\": scopes %s; %s; %s. It is shown only now: send it as"
                  + " 'Authorization: Bearer <token>'.%n",
              token.id(),
              token.name(),
              scopeNames(token),
              token.repos().matchesAny()
                  ? "every repository"
                  : "repositories " + String.join(" ", token.repos().patterns()),
              token.expiresAt() == null ? "never expires" : "expires " + token.expiresAt());
      return 0;
    }
  }

  @Command(
      name = "list",
      description = "List every token (never a secret).",
      mixinStandardHelpOptions = true)
  static final class ListTokens implements Callable<Integer> {

    @CommandLine.ParentCommand TokenCommand parent;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Instant now = parent.clock.instant();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-6s %-8s %-30s %-28s %s%n", "ID", "STATUS", "NAME", "SCOPES", "REPOSITORIES");
      for (StoredToken token : parent.tokens().list()) {
        String status =
            token.revokedAt() != null ? "deleted" : token.expired(now) ? "expired" : "live";
        out.printf(
            "%-6d %-8s %-30s %-28s %s%n",
            token.id(),
            status,
            token.name(),
            scopeNames(token),
            token.repos().matchesAny() ? "*" : String.join(" ", token.repos().patterns()));
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      description = "Delete a token: it stops working.",
      mixinStandardHelpOptions = true)
  static final class Delete implements Callable<Integer> {

    @CommandLine.ParentCommand TokenCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The token's id (see list).")
    long id;

    @Override
    public Integer call() {
      ApiTokens tokens = parent.tokens();
      if (tokens.find(id).isEmpty()) {
        spec.commandLine().getErr().println("token " + id + " does not exist");
        return USAGE;
      }
      tokens.revoke(id, "kiln-dev.jar token delete (" + whoAmI(parent.system) + ")");
      spec.commandLine()
          .getErr()
          .println(
              "Deleted token "
                  + id
                  + ": it stops working at once, and within kiln.auth.token-cache (10 s) on a"
                  + " running api.");
      return 0;
    }
  }

  private static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private ApiTokens tokens() {
    DriverManagerDataSource dataSource = dataSource();
    return new ApiTokens(
        new TokenStore(JdbcClient.create(dataSource)),
        new AuthProperties(false, Duration.ZERO, DEFAULT_LIFETIME, false, null));
  }

  /**
   * {@code SPRING_DATASOURCE_*} when set, else the running dev stack's {@code dev-stack.env}.
   *
   * @throws IllegalArgumentException saying what to set when neither is there
   */
  DriverManagerDataSource dataSource() {
    Map<String, String> settings = env;
    if (!settings.containsKey("SPRING_DATASOURCE_URL")) {
      Path home =
          DevStackConfig.load(new String[0], env, system).kilnHome().resolve(DevStackEnv.FILE_NAME);
      if (!Files.isReadable(home)) {
        throw new IllegalArgumentException(
            "No database: set SPRING_DATASOURCE_URL (and _USERNAME, _PASSWORD), or start the dev"
                + " stack, which writes "
                + home);
      }
      settings = DevStackEnv.read(home);
    }
    DriverManagerDataSource dataSource =
        new DriverManagerDataSource(
            settings.get("SPRING_DATASOURCE_URL"),
            settings.getOrDefault("SPRING_DATASOURCE_USERNAME", ""),
            settings.getOrDefault("SPRING_DATASOURCE_PASSWORD", ""));
    dataSource.setDriverClassName("org.postgresql.Driver");
    return dataSource;
  }

  private static String scopeNames(StoredToken token) {
    return String.join(", ", token.scopes().stream().map(Scope::wireName).toList());
  }

  private static String whoAmI(Properties system) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return system.getProperty("user.name", "?") + "@" + host;
  }

  private static String describe(DataAccessException e) {
    String message = String.valueOf(e.getMostSpecificCause().getMessage());
    if (message.contains("api_tokens") && message.contains("does not exist")) {
      return "The database has no api_tokens table yet: start the api on it once (it creates"
          + " the tables), then try again.";
    }
    return "Cannot use the database: " + message;
  }

  /** Subcommands reach the parent's settings through picocli's {@code @ParentCommand}. */
  private record Factory(TokenCommand root) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == TokenCommand.class) {
        return type.cast(root);
      }
      return CommandLine.defaultFactory().create(type);
    }
  }
}
