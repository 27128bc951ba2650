import dev.kiln.activities.process.OutputSink;
import dev.kiln.activities.process.ProcessConfig;
import dev.kiln.activities.process.ProcessExit;
import dev.kiln.activities.process.ProcessRunner;
import dev.kiln.activities.process.sandbox.ByteSizes;
import dev.kiln.activities.process.sandbox.ResourceLimits;
import dev.kiln.activities.process.sandbox.Sandbox;
import dev.kiln.activities.process.sandbox.SandboxSettings;
import dev.kiln.activities.process.sandbox.SandboxedStep;
import dev.kiln.activities.process.sandbox.Sandboxes;
import dev.kiln.workflows.plan.SandboxRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of Kiln's build sandbox, measured with Kiln's own runner: the same C library build
 * (configure, make, make test) run plainly ({@code setsid bash}) and in the sandbox (cgroup, bwrap,
 * limit watch, teardown), interleaved; and the start of a step that does nothing ({@code true}),
 * each way, many times. Run by bench/sandbox-overhead.sh.
 *
 * <p>Arguments: scratch directory, source tarball, builds per mode, starts per mode.
 */
public class SandboxOverhead {

  private static final String BUILD =
      "tar xf source.tar --strip-components=1 && ./configure && make -j\"$KILN_CPUS\" && make test"
          + " && times";

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path tarball = Path.of(args[1]).toAbsolutePath();
    int builds = Integer.parseInt(args[2]);
    int starts = Integer.parseInt(args[3]);
    Path home = Files.createDirectories(work.resolve("home"));
    Path runs = Files.createDirectories(home.resolve("work/runs"));
    int cores = Runtime.getRuntime().availableProcessors();
    ResourceLimits maxima =
        new ResourceLimits(8 * ByteSizes.GIB, cores, 4096, 50 * ByteSizes.GIB, Duration.ofHours(1));
    Sandbox sandbox =
        Sandboxes.create(
            Sandboxes.Mode.BWRAP,
            SandboxSettings.forWorker(
                home,
                System.getenv(),
                List.of(),
                List.of(),
                maxima,
                SandboxSettings.Enforcement.CGROUP,
                "bench-" + ProcessHandle.current().pid()),
            runs);
    try {
      System.out.println("sandbox: " + sandbox.describe());
      System.out.println("load average at start: " + loadAverage());
      Map<String, String> env = new HashMap<>();
      env.put("PATH", System.getenv("PATH"));
      env.put("HOME", System.getProperty("user.home"));
      env.put("KILN_CPUS", Integer.toString(cores));
      env.put("LANG", "C.UTF-8");

      startLatency(sandbox, runs.resolve("idle-before"), env, starts, "before any build");
      // one of each first, uncounted: page cache, compiler binaries, cgroup paths
      time(sandbox, false, workspace(runs, "warm-plain", tarball), BUILD, env);
      time(sandbox, true, workspace(runs, "warm-sandboxed", tarball), BUILD, env);
      List<Double> plain = new ArrayList<>();
      List<Double> sandboxed = new ArrayList<>();
      List<Double> plainCpu = new ArrayList<>();
      List<Double> sandboxedCpu = new ArrayList<>();
      List<Double> pairRatios = new ArrayList<>();
      for (int i = 0; i < builds; i++) {
        // alternate which goes first, so neither always gets the warmer machine
        boolean sandboxFirst = i % 2 == 1;
        for (boolean inSandbox : sandboxFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
          Path workspace = workspace(runs, (inSandbox ? "sb-" : "plain-") + i, tarball);
          Timing timing = time(sandbox, inSandbox, workspace, BUILD, env);
          double seconds = timing.wallNanos() / 1e9;
          (inSandbox ? sandboxed : plain).add(seconds);
          (inSandbox ? sandboxedCpu : plainCpu).add(timing.cpuSeconds());
          System.out.printf(
              Locale.ROOT,
              "build %d %s: %.2f s (CPU %.2f s), load %s%n",
              i + 1,
              inSandbox ? "sandboxed" : "plain",
              seconds,
              timing.cpuSeconds(),
              loadAverage().split(" ")[0]);
        }
        pairRatios.add(sandboxed.get(i) / plain.get(i));
      }
      double ratio = median(sandboxed) / median(plain);
      System.out.printf(
          Locale.ROOT,
          "builds: plain median %.2f s %s, sandboxed median %.2f s %s: ratio %.3f%n",
          median(plain),
          format(plain),
          median(sandboxed),
          format(sandboxed),
          ratio);
      System.out.printf(
          Locale.ROOT,
          "  CPU time: plain median %.2f s, sandboxed median %.2f s: ratio %.3f;"
              + " median of the %d pairs' wall ratios %.3f%n",
          median(plainCpu),
          median(sandboxedCpu),
          median(sandboxedCpu) / median(plainCpu),
          builds,
          median(pairRatios));

      startLatency(sandbox, runs.resolve("idle-after"), env, starts, "after the builds");
      System.out.println("load average at end: " + loadAverage());
    } finally {
      sandbox.close();
    }
  }

  /**
   * A step running {@code true}, {@code starts} times each way, interleaved: from preparing the
   * step to its sandbox gone, against setsid bash alone.
   */
  private static void startLatency(
      Sandbox sandbox, Path dir, Map<String, String> env, int starts, String when)
      throws IOException {
    Path idle = Files.createDirectories(dir);
    List<Double> plainStarts = new ArrayList<>();
    List<Double> sandboxStarts = new ArrayList<>();
    for (int i = 0; i < starts; i++) {
      boolean sandboxFirst = i % 2 == 1;
      for (boolean inSandbox : sandboxFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
        double ms = time(sandbox, inSandbox, idle, "true", env).wallNanos() / 1e6;
        (inSandbox ? sandboxStarts : plainStarts).add(ms);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "step start %s (a step running true, from open to closed): plain p50 %.1f ms p90 %.1f ms,"
            + " sandboxed p50 %.1f ms p90 %.1f ms: added p50 %.1f ms (%d each), load %s%n",
        when,
        median(plainStarts),
        percentile(plainStarts, 0.9),
        median(sandboxStarts),
        percentile(sandboxStarts, 0.9),
        median(sandboxStarts) - median(plainStarts),
        starts,
        loadAverage().split(" ")[0]);
  }

  /** A fresh workspace holding the source tarball (the build unpacks it, in either mode). */
  private static Path workspace(Path runs, String name, Path tarball) throws IOException {
    Path workspace = Files.createDirectories(runs.resolve(name));
    Files.copy(tarball, workspace.resolve("source.tar"));
    return workspace;
  }

  /**
   * Wall time from preparing the step to its sandbox being torn down, as CommandRunner does, and
   * the CPU time of the command's processes (bash's {@code times}, when the command ends with it).
   */
  record Timing(long wallNanos, double cpuSeconds) {}

  private static Timing time(
      Sandbox sandbox, boolean inSandbox, Path workspace, String command, Map<String, String> env)
      throws IOException {
    long began = System.nanoTime();
    ProcessExit exit;
    StringBuilder output = new StringBuilder();
    if (inSandbox) {
      try (SandboxedStep step =
          sandbox.open(
              new Sandbox.Step(
                  "bench-" + began, workspace, "bench", null, SandboxRequest.DEFAULT))) {
        Map<String, String> sandboxEnv = new HashMap<>(env);
        sandboxEnv.putAll(step.environment());
        exit =
            run(
                ProcessConfig.of(command, workspace, sandboxEnv, Duration.ofMinutes(30))
                    .withLauncher(step.launcher()),
                output);
        step.breach();
        step.usage();
      }
    } else {
      exit = run(ProcessConfig.of(command, workspace, env, Duration.ofMinutes(30)), output);
    }
    long took = System.nanoTime() - began;
    if (!exit.succeeded()) {
      throw new IllegalStateException(command + " failed in " + workspace + ": " + exit.describe());
    }
    return new Timing(took, childrenCpuSeconds(output.toString()));
  }

  private static ProcessExit run(ProcessConfig config, StringBuilder output) {
    OutputSink sink =
        (buf, off, len) -> {
          synchronized (output) {
            output.append(new String(buf, off, len, java.nio.charset.StandardCharsets.UTF_8));
          }
        };
    return new ProcessRunner(config, sink).run();
  }

  /** The last line of bash's {@code times}: user and system time of its children, "0m1.5s 0m0.2s". */
  private static double childrenCpuSeconds(String output) {
    String[] lines = output.strip().split("\n");
    String[] fields = lines[lines.length - 1].trim().split("\\s+");
    if (fields.length != 2 || !fields[0].matches("\\d+m[0-9.]+s")) {
      return Double.NaN;
    }
    return seconds(fields[0]) + seconds(fields[1]);
  }

  private static double seconds(String field) {
    int m = field.indexOf('m');
    return Integer.parseInt(field.substring(0, m)) * 60
        + Double.parseDouble(field.substring(m + 1, field.length() - 1));
  }

  private static double median(List<Double> values) {
    return percentile(values, 0.5);
  }

  private static double percentile(List<Double> values, double p) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
  }

  private static String format(List<Double> values) {
    return values.stream()
        .map(v -> String.format(Locale.ROOT, "%.2f", v))
        .toList()
        .toString();
  }

  private static String loadAverage() throws IOException {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
