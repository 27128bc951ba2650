package dev.kiln.activities.process;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A misbehaving build tool, run by the tests as a real child process (like buildkite's re-executed
 * test binary). Modes print {@code ready} once they are set up, so a test can wait for that instead
 * of sleeping:
 *
 * <ul>
 *   <li>{@code exit N} — exits with status N
 *   <li>{@code slow} — prints a line every 100 ms for ten minutes; dies on SIGTERM
 *   <li>{@code ignores-sigterm} — ignores SIGTERM and sleeps
 *   <li>{@code forks-grandchild} — ignores SIGTERM, starts {@code bash -c "trap '' TERM; sleep"}
 *       sharing its stdout, prints {@code grandchild=<pid>} and sleeps
 *   <li>{@code floods-output N} — writes N bytes and exits 0
 *   <li>{@code prints-env} — prints its environment as {@code NAME=value\0} pairs, sorted
 * </ul>
 */
public final class FakeBuildTool {

  private static final PrintStream out = System.out;

  private FakeBuildTool() {}

  /** Runs the mode named by {@code args[0]} with its arguments. */
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "exit" -> System.exit(Integer.parseInt(args[1]));
      case "slow" -> slow();
      case "ignores-sigterm" -> ignoresSigterm();
      case "forks-grandchild" -> forksGrandchild();
      case "floods-output" -> flood(Long.parseLong(args[1]));
      case "prints-env" -> printEnv();
      default -> throw new IllegalArgumentException("unknown mode " + Arrays.toString(args));
    }
  }

  private static void slow() throws InterruptedException {
    ready();
    for (int i = 0; i < 6000; i++) {
      out.println("working " + i);
      out.flush();
      Thread.sleep(100);
    }
  }

  private static void ignoresSigterm() throws InterruptedException {
    Signal.handle(new Signal("TERM"), SignalHandler.SIG_IGN);
    ready();
    Thread.sleep(600_000);
  }

  private static void forksGrandchild() throws IOException, InterruptedException {
    Signal.handle(new Signal("TERM"), SignalHandler.SIG_IGN);
    Process grandchild =
        new ProcessBuilder("bash", "-c", "trap '' TERM; sleep 600")
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    out.println("grandchild=" + grandchild.pid());
    ready();
    Thread.sleep(600_000);
  }

  private static void flood(long bytes) throws IOException {
    byte[] block = new byte[8192];
    Arrays.fill(block, (byte) 'x');
    OutputStream raw = new FileOutputStream(FileDescriptor.out);
    for (long left = bytes; left > 0; left -= block.length) {
      raw.write(block, 0, (int) Math.min(block.length, left));
    }
    raw.flush();
  }

  private static void printEnv() {
    Map<String, String> env = new TreeMap<>(System.getenv());
    StringBuilder text = new StringBuilder();
    env.forEach((name, value) -> text.append(name).append('=').append(value).append('\0'));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
    out.flush();
  }

  private static void ready() {
    out.println("ready");
    out.flush();
  }
}
