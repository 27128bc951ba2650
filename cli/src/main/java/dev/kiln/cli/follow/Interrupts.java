package dev.kiln.cli.follow;

import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.Terminal;
import dev.kiln.cli.api.KilnClient;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * What Ctrl-C (SIGINT) does while a run is followed. With {@code --cancel-on-interrupt} it cancels
 * the run and keeps following until the run has ended, so the exit code is the cancelled run's (2).
 * Without it, on a terminal it asks whether to cancel the run; answered no, or without a terminal
 * to ask on, it stops following and leaves the run going (exit 130). A second Ctrl-C exits at once.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is what lets a Java program handle
 * SIGINT itself and go on running; a shutdown hook could only act on the way out.
 */
final class Interrupts {

  private Interrupts() {}

  static void onInterrupt(
      long runId,
      boolean cancelWithoutAsking,
      KilnClient client,
      PrintWriter out,
      PrintWriter err,
      Terminal terminal) {
    AtomicBoolean cancelling = new AtomicBoolean();
    try {
      handle(runId, cancelWithoutAsking, client, out, err, terminal, cancelling);
    } catch (IllegalArgumentException ignoredByTheParent) {
      // a process started with SIGINT ignored (a background job of a shell without job control)
      // cannot be interrupted, so there is nothing to handle
    }
  }

  private static void handle(
      long runId,
      boolean cancelWithoutAsking,
      KilnClient client,
      PrintWriter out,
      PrintWriter err,
      Terminal terminal,
      AtomicBoolean cancelling) {
    Signal.handle(
        new Signal("INT"),
        signal -> {
          if (cancelling.get()) {
            exit(out, err, "run " + runId + " is being cancelled; not following it any further");
          }
          boolean cancel = cancelWithoutAsking || ask(runId, out, err, terminal);
          if (!cancel) {
            exit(out, err, "run " + runId + " goes on; follow it with: kiln logs -f " + runId);
          }
          cancelling.set(true);
          err.println("cancelling run " + runId + " …");
          try {
            client.cancel(runId, "Ctrl-C in kiln");
          } catch (RuntimeException e) {
            // already ended (409) or unreachable: the stream's end event says how it ended
            err.println("kiln: " + e.getMessage());
          }
        });
  }

  private static boolean ask(long runId, PrintWriter out, PrintWriter err, Terminal terminal) {
    Console console = System.console();
    if (!terminal.interactive() || !Terminal.onTerminal()) {
      return false;
    }
    synchronized (out) {
      out.flush();
      err.print("\nCancel run " + runId + " too? [y/N] ");
      err.flush();
      String answer = console.readLine();
      return answer != null && answer.strip().toLowerCase(Locale.ROOT).startsWith("y");
    }
  }

  private static void exit(PrintWriter out, PrintWriter err, String message) {
    out.flush();
    err.println();
    err.println(message);
    err.flush();
    Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
  }
}
