package dev.kiln.cli;

import dev.kiln.cli.api.KilnClient;
import dev.kiln.cli.config.CliConfig;
import dev.kiln.cli.follow.LogsCommand;
import dev.kiln.cli.follow.RebuildCommand;
import dev.kiln.cli.local.RunCommand;
import dev.kiln.cli.runs.CancelCommand;
import dev.kiln.cli.runs.QueueCommand;
import dev.kiln.cli.runs.RetryCommand;
import dev.kiln.cli.runs.RunsCommand;
import dev.kiln.cli.runs.ShowCommand;
import dev.kiln.cli.workers.WorkersCommand;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kiln}: the command line of a Kiln installation, a client of its HTTP api. */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    versionProvider = Kiln.Version.class,
    description =
        "Start (from a URL or a local working tree), follow, list, show, cancel and retry Kiln runs; see the queue; build a working tree on this machine as a build host would (run --local).",
    footer = {
      "",
      "KILN_URL and KILN_TOKEN: from the environment, else from ~/.config/kiln/config",
      "(url=..., token=...); the default URL is http://localhost:8080.",
      "Exit codes: 0 passed or done, 1 failed, 2 cancelled or aborted,",
      "3 usage, connection or api error."
    })
public final class Kiln {

  /**
   * The subcommands, as {@code --help} lists them. Registered in {@link #run}, only the one named
   * when a command line names one: picocli reflects over each registered command's options, and all
   * of them took a good part of the command line's start-up.
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          RebuildCommand.class,
          RunCommand.class,
          LogsCommand.class,
          RunsCommand.class,
          ShowCommand.class,
          CancelCommand.class,
          RetryCommand.class,
          QueueCommand.class,
          WorkersCommand.class);

  private final Map<String, String> env;
  private final Path home;
  private final PrintWriter out;
  private final PrintWriter err;
  private final Terminal terminal;
  private KilnClient client;

  public Kiln(
      Map<String, String> env, Path home, PrintWriter out, PrintWriter err, Terminal terminal) {
    this.env = env;
    this.home = home;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    Kiln kiln = new Kiln(env, home(env), out, err, Terminal.detect(env));
    int code = kiln.run(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * {@code $HOME}, as the shell's {@code ~} means it; the JVM's {@code user.home} (the password
   * database's) only without it.
   */
  static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    return Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home);
  }

  /** Runs one command line and returns its exit code; usage errors and failures are one line. */
  public int run(String... args) {
    CommandLine commandLine = new CommandLine(this);
    for (Class<?> subcommand : subcommandsFor(args)) {
      commandLine.addSubcommand(subcommand);
    }
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler(
        (e, args2) -> {
          err.println("kiln: " + e.getMessage());
          err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.USAGE_OR_CONNECTION;
        });
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          err.println(
              "kiln: "
                  + (e instanceof CliFailure || e instanceof CommandLine.ParameterException
                      ? e.getMessage()
                      : e.toString()));
          return ExitCodes.USAGE_OR_CONNECTION;
        });
    return commandLine.execute(args);
  }

  /**
   * The subcommand the first argument that is not an option names; every one when it names none
   * (help, a typo, nothing), so that help lists them all and a typo is told from a command.
   */
  static List<Class<?>> subcommandsFor(String... args) {
    for (String arg : args) {
      if (arg.startsWith("-")) {
        continue;
      }
      for (Class<?> subcommand : SUBCOMMANDS) {
        if (subcommand.getAnnotation(Command.class).name().equals(arg)) {
          return List.of(subcommand);
        }
      }
      break;
    }
    return SUBCOMMANDS;
  }

  /** The api client, made on first use: {@code --help} reads no configuration. */
  public KilnClient client() {
    if (client == null) {
      client = new KilnClient(CliConfig.load(env, home));
    }
    return client;
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  /** The environment the command runs in. */
  public Map<String, String> env() {
    return env;
  }

  public Terminal terminal() {
    return terminal;
  }

  /** The version in the jar's manifest (the build's), or {@code dev} when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Kiln.class.getPackage().getImplementationVersion();
      return new String[] {"kiln " + (version == null ? "dev" : version)};
    }
  }
}
