package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TemporalDevServerTest {

  private final TemporalDevServer.Options options =
      new TemporalDevServer.Options(
          Path.of("/opt/temporal"),
          Path.of("/home/dev/.kiln/temporal.db"),
          17233,
          18233,
          Path.of("/home/dev/.kiln/logs/temporal.log"),
          Path.of("/home/dev/.kiln/temporal.pid"));

  @Test
  void runsStartDevOnTheDatabaseFileOnLoopback() {
    List<String> command = TemporalDevServer.command(options);

    assertThat(command).startsWith("/opt/temporal", "server", "start-dev");
    assertThat(command)
        .containsSequence("--db-filename", "/home/dev/.kiln/temporal.db")
        .containsSequence("--ip", "127.0.0.1")
        .containsSequence("--port", "17233")
        .containsSequence("--ui-port", "18233")
        .doesNotContain("--headless");
  }

  @Test
  void registersEveryKilnSearchAttribute() {
    List<String> command = TemporalDevServer.command(options);

    for (String attribute :
        List.of(
            "KilnRepo=Keyword",
            "KilnBranch=Keyword",
            "KilnSha=Keyword",
            "KilnArch=Keyword",
            "KilnMr=Keyword",
            "KilnPhase=Keyword",
            "KilnResult=Keyword",
            "KilnRunId=Int")) {
      assertThat(command).containsSequence("--search-attribute", attribute);
    }
  }

  @Test
  void turnsOnThePriorityMatcherWithOnePartitionPerQueueAndEagerActivities() {
    List<String> command = TemporalDevServer.command(options);

    assertThat(command)
        .containsSequence("--dynamic-config-value", "matching.useNewMatcher=true")
        .containsSequence("--dynamic-config-value", "matching.numTaskqueueReadPartitions=1")
        .containsSequence("--dynamic-config-value", "matching.numTaskqueueWritePartitions=1")
        .containsSequence("--dynamic-config-value", "matching.enableFairness=true")
        .containsSequence("--dynamic-config-value", "system.enableActivityEagerExecution=true");
  }

  @Test
  void readsTheTransferQueueAsOftenAsTasksComeNotTwentyTimesASecond() {
    assertThat(TemporalDevServer.command(options))
        .containsSequence("--dynamic-config-value", "history.transferProcessorMaxPollRPS=1000");
  }

  @Test
  void collectsGoGarbageLessOftenAndLeavesHalfTheCoresToTheBuilds() {
    assertThat(TemporalDevServer.goRuntime(Map.of("PATH", "/usr/bin"), 2))
        .isEqualTo(Map.of("GOGC", "400", "GOMAXPROCS", "1"));
    assertThat(TemporalDevServer.goRuntime(Map.of(), 16)).containsEntry("GOMAXPROCS", "8");
    assertThat(TemporalDevServer.goRuntime(Map.of(), 1)).containsEntry("GOMAXPROCS", "1");
  }

  @Test
  void keepsTheGoRuntimeSettingsTheUserChose() {
    assertThat(TemporalDevServer.goRuntime(Map.of("GOGC", "100", "GOMAXPROCS", "4"), 2)).isEmpty();
  }

  @Test
  void anExitExplainedByAPanicShowsThePanicMessageBeforeTheLastLines() {
    List<String> output = new ArrayList<>();
    output.add("time=... level=INFO msg=starting");
    output.add("panic: listen tcp 127.0.0.1:7233: bind: address already in use");
    output.add("");
    output.add("goroutine 1 [running]:");
    for (int i = 0; i < 60; i++) {
      output.add("\tframe " + i);
    }

    List<String> excerpt = TemporalDevServer.excerpt(output);

    assertThat(excerpt)
        .startsWith(
            "panic: listen tcp 127.0.0.1:7233: bind: address already in use",
            "",
            "goroutine 1 [running]:",
            "…")
        .endsWith("\tframe 59")
        .hasSize(34);
  }

  @Test
  void anExitWithoutAPanicShowsTheLastThirtyLines() {
    List<String> output = IntStream.range(0, 50).mapToObj(i -> "line " + i).toList();

    assertThat(TemporalDevServer.excerpt(output))
        .hasSize(30)
        .startsWith("line 20")
        .endsWith("line 49");
    assertThat(TemporalDevServer.excerpt(List.of("only"))).containsExactly("only");
  }
}
