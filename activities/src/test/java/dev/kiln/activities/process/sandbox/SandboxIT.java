package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.activities.process.CancelReason;
import dev.kiln.workflows.plan.SandboxRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build steps in a real bubblewrap sandbox with real cgroups: each escape a build might try, and
 * each limit. Liveness and files are checked from the host, not through the code under test.
 */
class SandboxIT {

  @TempDir static Path kilnHome;
  static SandboxFixture fixture;

  @BeforeAll
  static void startSandbox() throws Exception {
    fixture = new SandboxFixture(kilnHome);
  }

  @AfterAll
  static void stopSandbox() {
    fixture.close();
  }

  @Test
  void aStepWritesItsWorkspaceButNotTheHostAndHasItsOwnTmpAndHome() throws Exception {
    Path workspace = fixture.workspace("10-1");
    Path hostTmpMarker = Files.createTempFile("kiln-host-tmp-", ".txt");

    SandboxFixture.Ran ran =
        fixture.run(
            workspace,
            "echo built > out.txt; echo $HOME; ls /tmp; touch /tmp/step-file;"
                + " touch /etc/kiln-escape 2>&1 || true; touch /usr/kiln-escape 2>&1 || true");

    assertThat(ran.exit().succeeded()).as(ran.output()).isTrue();
    assertThat(Files.readString(workspace.resolve("out.txt"))).isEqualTo("built\n");
    assertThat(ran.output())
        .contains(System.getProperty("user.home"))
        .doesNotContain(hostTmpMarker.getFileName().toString())
        .contains("/etc/kiln-escape': Read-only file system")
        .contains("/usr/kiln-escape': Read-only file system");
    assertThat(Path.of("/etc/kiln-escape")).doesNotExist();
    assertThat(Path.of("/tmp/step-file")).doesNotExist();
    Files.delete(hostTmpMarker);
  }

  @Test
  void aStepThatLeavesNothingBehindEndsWithoutAKill() throws Exception {
    for (int i = 0; i < 5; i++) {
      SandboxFixture.Ran ran = fixture.run(fixture.workspace("23-" + i), "true");

      assertThat(ran.exit().succeeded()).isTrue();
      assertThat(ran.killSteps())
          .as("the namespace's init exiting on its own is not a leftover")
          .isEmpty();
    }
  }

  @Test
  void kilnHomeTheWorkerTokenAndOtherRunsWorkspacesAreNotVisible() throws Exception {
    Path token = Files.writeString(kilnHome.resolve("worker.token"), "s3cr3t-token");
    Path other = fixture.workspace("11-1");
    Files.writeString(other.resolve("secret.txt"), "other run's secret");
    Path own = fixture.workspace("12-1");

    SandboxFixture.Ran ran =
        fixture.run(
            own,
            "cat "
                + token
                + " 2>&1 || true; cat "
                + other.resolve("secret.txt")
                + " 2>&1 || true; echo listing: $(ls "
                + fixture.workspaces
                + ")");

    assertThat(ran.output())
        .doesNotContain("s3cr3t-token")
        .doesNotContain("other run's secret")
        .contains("worker.token: No such file or directory")
        .contains("secret.txt: No such file or directory")
        .contains("listing: 12-1\n");
  }

  @Test
  void workerProcessesAndTheirEnvironmentsAreNotVisibleInProc() throws Exception {
    long worker = ProcessHandle.current().pid();

    SandboxFixture.Ran ran =
        fixture.run(
            fixture.workspace("13-1"),
            "ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '; echo;"
                + " cat /proc/[0-9]*/comm | grep -cx java || true;"
                + " cat /proc/"
                + worker
                + "/environ 2>&1 || true");

    String[] lines = ran.output().split("\n");
    List<Long> pids = Stream.of(lines[0].trim().split(" ")).map(Long::parseLong).toList();
    assertThat(pids).as("only the sandbox's own processes").allMatch(p -> p < 20);
    assertThat(lines[1].trim()).as("no java process visible").isEqualTo("0");
    assertThat(ran.output()).contains("/proc/" + worker + "/environ: No such file or directory");
  }

  @Test
  void daemonsStartedWithSetsidNohupADoubleForkOrDisownDieWithTheStep() throws Exception {
    String marker = "9" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100_000_000);

    SandboxFixture.Ran ran =
        fixture.run(
            fixture.workspace("14-1"),
            ("setsid sleep %s1 & nohup sleep %s2 >/dev/null 2>&1 &"
                    + " (sleep %s3 &) ; sleep %s4 & disown;"
                    + " (trap '' TERM HUP; exec sleep %s5) & disown; sleep 0.3; echo started")
                .replace("%s", marker));

    assertThat(ran.output()).contains("started");
    assertThat(ran.killSteps()).as("the daemons were leftovers to kill").startsWith("TERM");
    assertThat(hostProcessesWith("sleep " + marker)).as("daemons left on the host").isEmpty();
  }

  @Test
  void cancellingTermsEveryProcessInTheNamespaceThenKillsThoseThatIgnoreIt() throws Exception {
    String marker = "8" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100_000_000);
    Path workspace = fixture.workspace("15-1");
    String script =
        ("trap 'echo main got TERM; exit 143' TERM;"
                + " setsid bash -c \"trap 'echo daemon got TERM > daemon-term; exit 0' TERM;"
                + " sleep %s1 & wait\" &"
                + " (trap '' TERM; exec sleep %s2) &"
                + " echo started; wait")
            .replace("%s", marker);
    long[] cancelledAt = new long[1];

    SandboxFixture.Ran ran =
        fixture.run(
            workspace,
            "repo-a",
            SandboxRequest.DEFAULT,
            script,
            runner ->
                new Thread(
                        () -> {
                          await()
                              .atMost(Duration.ofSeconds(30))
                              .until(() -> hostProcessesWith("sleep " + marker).size() == 2);
                          cancelledAt[0] = System.nanoTime();
                          runner.cancel(CancelReason.WORKFLOW_CANCELLED);
                        })
                    .start());
    Duration took = Duration.ofNanos(System.nanoTime() - cancelledAt[0]);

    assertThat(ran.exit().cancelReason()).isEqualTo(CancelReason.WORKFLOW_CANCELLED);
    assertThat(ran.output()).contains("main got TERM");
    assertThat(workspace.resolve("daemon-term"))
        .as("a setsid daemon got SIGTERM too")
        .hasContent("daemon got TERM");
    assertThat(took)
        .as("the SIGTERM-ignoring one took the grace period")
        .isGreaterThan(Duration.ofMillis(900));
    assertThat(hostProcessesWith("sleep " + marker)).isEmpty();
  }

  @Test
  void aMemoryHogIsKilledAndTheBreachSaysWhichLimit() throws Exception {
    SandboxRequest request = new SandboxRequest(128 * ByteSizes.MIB, null, null, null, null);

    SandboxFixture.Ran ran =
        fixture.run(
            fixture.workspace("16-1"),
            "repo-a",
            request,
            "head -c 1G /dev/zero | tail > /dev/null; echo survived");

    assertThat(ran.exit().succeeded()).isFalse();
    assertThat(ran.output()).doesNotContain("survived");
    assertThat(ran.breach()).contains("memory limit 128 MiB exceeded");
    assertThat(ran.usage().peakMemoryBytes()).isBetween(100 * ByteSizes.MIB, 128 * ByteSizes.MIB);
  }

  @Test
  void aForkBombStopsAtTheProcessLimitAndEndsWithTheStep() throws Exception {
    SandboxRequest request = new SandboxRequest(null, null, 64, null, null);
    String marker = "7" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100_000_000);
    int[] most = {0};

    SandboxFixture.Ran ran =
        fixture.run(
            fixture.workspace("17-1"),
            "repo-a",
            request,
            "bomb() { sleep " + marker + " & bomb | bomb & }; bomb; wait",
            runner ->
                new Thread(
                        () -> {
                          while (!runner.done().isDone()) {
                            try {
                              most[0] =
                                  Math.max(most[0], hostProcessesWith("sleep " + marker).size());
                            } catch (IOException e) {
                              return;
                            }
                          }
                        })
                    .start(),
            Duration.ofSeconds(5));

    assertThat(ran.exit().timedOut()).isTrue();
    assertThat(ran.output()).contains("Resource temporarily unavailable");
    assertThat(ran.note()).contains("process limit 64 reached");
    assertThat(most[0]).as("sleeps alive at once").isPositive().isLessThan(64);
    assertThat(hostProcessesWith("sleep " + marker)).isEmpty();
  }

  @Test
  void aSparseFileBeyondTheDiskLimitStopsTheStep() throws Exception {
    SandboxRequest request = new SandboxRequest(null, null, null, 1 * ByteSizes.GIB, null);

    SandboxFixture.Ran ran =
        fixture.run(
            fixture.workspace("18-1"),
            "repo-a",
            request,
            "truncate -s 2G big.img; echo written; sleep 30; echo not-stopped");

    assertThat(ran.output()).contains("written").doesNotContain("not-stopped");
    assertThat(ran.exit().cancelReason()).isEqualTo(CancelReason.RESOURCE_LIMIT);
    assertThat(ran.breach()).contains("workspace exceeded 1 GiB");
  }

  @Test
  void withoutNetworkALoopbackServerOfTheHostIsUnreachableAndWithItItIs() throws Exception {
    var server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "hello from the host\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      String curl = "curl -sS --max-time 5 http://127.0.0.1:" + server.getAddress().getPort() + "/";
      SandboxFixture.Ran offline =
          fixture.run(
              fixture.workspace("19-1"),
              "repo-a",
              new SandboxRequest(null, null, null, null, false),
              curl);
      SandboxFixture.Ran online = fixture.run(fixture.workspace("19-2"), curl);

      assertThat(offline.exit().exitCode()).as(offline.output()).isEqualTo(7);
      assertThat(offline.output()).contains("Failed to connect to 127.0.0.1");
      assertThat(online.exit().succeeded()).as(online.output()).isTrue();
      assertThat(online.output()).contains("hello from the host");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void dependencyCachesAreKeptPerRepositoryAndAnotherRepositorysAreOutOfReach() throws Exception {
    Path workspace = fixture.workspace("20-1");
    Path otherCache = Files.createDirectories(kilnHome.resolve("caches/repo-b/maven/org/victim"));
    Files.writeString(otherCache.resolve("lib.jar"), "genuine");

    SandboxFixture.Ran ran =
        fixture.run(
            workspace,
            "repo-a",
            SandboxRequest.DEFAULT,
            "mkdir -p ~/.m2/repository/org/own && echo mine > ~/.m2/repository/org/own/lib.jar;"
                + " echo poison > "
                + otherCache.resolve("lib.jar")
                + " 2>&1 || true; echo listing: $(ls ~/.m2/repository/org)");

    assertThat(ran.output()).contains("listing: own\n").contains("No such file or directory");
    assertThat(kilnHome.resolve("caches/repo-a/maven/org/own/lib.jar")).hasContent("mine");
    assertThat(otherCache.resolve("lib.jar")).hasContent("genuine");
  }

  @Test
  void aReleaseTarballOfAnotherOwnerUnpacksAlthoughTheStepCannotChown() throws Exception {
    Path workspace = fixture.workspace("22-1");
    Process tar =
        new ProcessBuilder(
                "bash",
                "-c",
                "mkdir -p src/pkg && echo data > src/pkg/file"
                    + " && tar cf release.tar --owner=1234 --group=1234 -C src pkg")
            .directory(workspace.toFile())
            .start();
    assertThat(tar.waitFor()).isZero();

    SandboxFixture.Ran ran =
        fixture.run(workspace, "mkdir out && tar xf release.tar -C out && cat out/pkg/file");

    assertThat(ran.exit().succeeded()).as(ran.output()).isTrue();
    assertThat(ran.output()).contains("data");
  }

  @Test
  void aStepsCommandJoinsEachOfItsCgroupsAndItsOutputRelayItsCpuCgroupAlone() throws Exception {
    Path workspace = fixture.workspace("24-1");
    Path written = workspace.resolve("cgroups.txt");
    Path done = workspace.resolve("done");
    // The step lives until the test has looked (at most 60 s), so no stall of a busy host ends it
    // before then.
    CompletableFuture<SandboxFixture.Ran> running =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return fixture.run(
                    workspace,
                    "cat /proc/self/cgroup > cgroups.tmp; mv cgroups.tmp cgroups.txt;"
                        + " i=0; while [ ! -e done ] && [ $i -lt 1200 ]; do sleep 0.05;"
                        + " i=$((i+1)); done");
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(written));
      Map<String, String> command = cgroupsOf(Files.readString(written));
      assumeTrue(command.containsKey("cpu"), "cgroup v1 hierarchies (this host has cgroup v2)");
      String step = command.get("cpu").substring(command.get("cpu").lastIndexOf('/') + 1);
      assertThat(step).startsWith("step-");
      assertThat(command)
          .as("the command's cgroup in each hierarchy a step's limits or usage live in")
          .containsKeys("cpu", "memory", "pids")
          .allSatisfy(
              (controller, path) -> {
                if (List.of("cpu", "cpuacct", "memory", "pids").contains(controller)) {
                  assertThat(path).endsWith("/" + step);
                }
              });
      Map<String, String> relay =
          await()
              .atMost(Duration.ofSeconds(30))
              .ignoreExceptions() // a process listed a moment ago may be gone when read
              .until(() -> relayOf(command.get("cpu")), found -> found != null);
      assertThat(relay).containsKeys("memory", "pids");
      assertThat(relay.get("memory")).isNotEqualTo(command.get("memory"));
      assertThat(relay.get("pids")).isNotEqualTo(command.get("pids"));
    } finally {
      Files.writeString(done, "");
    }
    assertThat(running.get(60, TimeUnit.SECONDS).exit().succeeded()).isTrue();
  }

  /** The cgroups of the output relay ({@code head -c …}) in cpu cgroup {@code cpu}, or null. */
  private static Map<String, String> relayOf(String cpu) throws IOException {
    for (long pid : hostProcessesWith("head -c ")) {
      Map<String, String> cgroups =
          cgroupsOf(Files.readString(Path.of("/proc/" + pid + "/cgroup")));
      if (cpu.equals(cgroups.get("cpu"))) {
        return cgroups;
      }
    }
    return null;
  }

  /** {@code /proc/<pid>/cgroup} of cgroup v1: each controller's path. */
  private static Map<String, String> cgroupsOf(String procCgroup) {
    Map<String, String> paths = new HashMap<>();
    for (String line : procCgroup.split("\n")) {
      String[] fields = line.split(":", 3);
      if (fields.length == 3) {
        for (String controller : fields[1].split(",")) {
          paths.put(controller, fields[2]);
        }
      }
    }
    return paths;
  }

  @Test
  void theStepsUsageIsMeasured() throws Exception {
    SandboxFixture.Ran ran =
        fixture.run(
            fixture.workspace("21-1"),
            "head -c 64M /dev/zero | tail > /dev/null; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done");

    assertThat(ran.exit().succeeded()).as(ran.output()).isTrue();
    assertThat(ran.usage().peakMemoryBytes()).isGreaterThan(60 * ByteSizes.MIB);
    assertThat(ran.usage().cpuMillis()).isGreaterThan(100);
  }

  @Test
  void withPrlimitInsteadOfCgroupsMemoryIsLimitedPerProcessAndNothingIsMeasured(
      @TempDir Path otherHome) throws Exception {
    try (SandboxFixture prlimit =
        new SandboxFixture(otherHome, SandboxFixture.LIMITS, SandboxSettings.Enforcement.PRLIMIT)) {
      SandboxFixture.Ran ran =
          prlimit.run(
              prlimit.workspace("30-1"),
              "repo-a",
              new SandboxRequest(256 * ByteSizes.MIB, null, null, null, null),
              "echo data-limit $(ulimit -d); cat /proc/self/cgroup | grep -c kiln || true",
              runner -> {});

      assertThat(prlimit.sandbox.limitsEnforcedBy()).contains("prlimit");
      assertThat(ran.exit().succeeded()).as(ran.output()).isTrue();
      assertThat(ran.output()).contains("data-limit " + (256 * 1024)).endsWith("0\n");
      assertThat(ran.usage()).isEqualTo(StepUsage.UNKNOWN);
    }
  }

  @Test
  void aPlansPathCannotChooseTheProgramsThatStartTheStep(
      @TempDir Path otherHome, @TempDir Path host) throws Exception {
    try (SandboxFixture prlimit =
        new SandboxFixture(otherHome, SandboxFixture.LIMITS, SandboxSettings.Enforcement.PRLIMIT)) {
      Path workspace = prlimit.workspace("31-1");
      Path ran = host.resolve("ran-outside-the-sandbox");
      for (String program : List.of("prlimit", "setsid")) {
        Path fake = workspace.resolve(program);
        Files.writeString(
            fake, "#!/bin/sh\ntouch " + ran + "\nexec /usr/bin/" + program + " \"$@\"\n");
        fake.toFile().setExecutable(true);
      }

      SandboxFixture.Ran step =
          prlimit.run(
              workspace,
              "repo-a",
              SandboxRequest.DEFAULT,
              "echo ran",
              runner -> {},
              Duration.ofMinutes(1),
              Map.of("PATH", workspace + ":.:" + System.getenv("PATH")));

      assertThat(step.exit().succeeded()).as(step.output()).isTrue();
      assertThat(step.output()).contains("ran");
      assertThat(ran).as("a program of the workspace ran before the sandbox").doesNotExist();
    }
  }

  /** Host processes whose command line starts with {@code text}, read from /proc directly. */
  static List<Long> hostProcessesWith(String text) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline = Files.readString(entry.resolve("cmdline")).replace('\0', ' ');
          String stat = Files.readString(entry.resolve("stat"));
          char state = stat.charAt(stat.lastIndexOf(')') + 2);
          if (cmdline.startsWith(text) && state != 'Z') {
            found.add(Long.parseLong(name));
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }
}
