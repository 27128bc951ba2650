package dev.kiln.activities.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.activities.RunAttempt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandStopsTest {

  final CommandStops stops = new CommandStops();
  final List<String> stopped = new ArrayList<>();

  @Test
  void aStopReachesEveryCommandOfItsRunAndNoOther() {
    stops.register("kiln-run-1", () -> stopped.add("1a"));
    stops.register("kiln-run-1", () -> stopped.add("1b"));
    stops.register("kiln-run-2", () -> stopped.add("2"));

    assertThat(stops.stop("kiln-run-1")).isEqualTo(2);

    assertThat(stopped).containsExactly("1a", "1b");
  }

  @Test
  void aCommandThatEndedIsNotStoppedAnyMore() {
    RunAttempt.Registration ended = stops.register("kiln-run-1", () -> stopped.add("ended"));
    ended.close();

    assertThat(stops.stop("kiln-run-1")).isZero();
    assertThat(stopped).isEmpty();
  }

  @Test
  void aCommandThatStartsAfterItsRunWasStoppedIsStoppedAsItStartsUntilTheRunIsForgotten() {
    stops.stop("kiln-run-1");

    stops.register("kiln-run-1", () -> stopped.add("late"));
    assertThat(stopped).containsExactly("late");

    stops.forget("kiln-run-1");
    stops.register("kiln-run-1", () -> stopped.add("after cleanup"));
    assertThat(stopped).containsExactly("late");
  }

  @Test
  void onlyTheLatestStoppedRunsAreRemembered() {
    for (int run = 0; run <= CommandStops.REMEMBERED; run++) {
      stops.stop("kiln-run-" + run);
    }

    stops.register("kiln-run-0", () -> stopped.add("oldest"));
    stops.register("kiln-run-1", () -> stopped.add("second oldest"));
    assertThat(stopped).containsExactly("second oldest");
  }
}
