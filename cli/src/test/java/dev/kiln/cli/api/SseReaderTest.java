package dev.kiln.cli.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class SseReaderTest {

  private static SseReader reader(String stream) {
    return new SseReader(new BufferedReader(new StringReader(stream)));
  }

  @Test
  void readsEventsAsTheApiWritesThemSkippingComments() throws Exception {
    SseReader events =
        reader(
            ":heartbeat\n\n"
                + "event:phase\ndata:{\"phase\":\"compiling\"}\n\n"
                + "id:7\nevent:log\ndata:{\"seq\":7,\"text\":\"hello\\n\"}\n\n"
                + "event:end\ndata:{\"result\":\"passed\"}\n\n");

    assertThat(events.next()).contains(new SseEvent(null, "phase", "{\"phase\":\"compiling\"}"));
    assertThat(events.next())
        .contains(new SseEvent("7", "log", "{\"seq\":7,\"text\":\"hello\\n\"}"));
    assertThat(events.next()).contains(new SseEvent(null, "end", "{\"result\":\"passed\"}"));
    assertThat(events.next()).isEmpty();
  }

  @Test
  void joinsDataLinesDropsOneLeadingSpaceAndDefaultsTheNameToMessage() throws Exception {
    SseReader events = reader("data: first\ndata:  second\nretry: 100\n\n");

    assertThat(events.next()).contains(new SseEvent(null, "message", "first\n second"));
  }

  @Test
  void anEventCutOffByTheEndOfTheStreamIsNotDelivered() throws Exception {
    SseReader events = reader("id:3\nevent:log\ndata:{\"text\":\"half");

    assertThat(events.next()).isEmpty();
  }

  @Test
  void aFieldBlockWithoutDataIsNoEventAndDoesNotLeakItsIdIntoTheNext() throws Exception {
    SseReader events = reader("id:1\nevent:log\n\nevent:end\ndata:{}\n\n");

    assertThat(events.next()).contains(new SseEvent(null, "end", "{}"));
  }
}
