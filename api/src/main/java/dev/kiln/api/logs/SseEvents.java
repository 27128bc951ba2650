package dev.kiln.api.logs;

import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.Phase;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bytes of the log stream's events ({@link LogEvents}), in the {@code text/event-stream}
 * format. An event is serialised once and the same bytes go to every follower of the run, instead
 * of each follower turning the same chunk into JSON again. The JSON comes from the application's
 * mapper, so the wire format is the one the rest of the api writes (snake_case, ISO instants).
 */
@Component
class SseEvents {

  /** A comment, which EventSource ignores; it keeps proxies from closing an idle stream. */
  static final byte[] HEARTBEAT = ":heartbeat\n\n".getBytes(StandardCharsets.UTF_8);

  private final JsonMapper json;

  SseEvents(JsonMapper json) {
    this.json = json;
  }

  /** Event {@code log} with the chunk's {@code seq} as its id. */
  byte[] log(LogChunk chunk, String text) {
    return event(
        Long.toString(chunk.seq()),
        LogEvents.LOG,
        new LogEvents.Log(chunk.seq(), chunk.step(), chunk.ts(), text));
  }

  byte[] phase(Phase phase) {
    return event(null, LogEvents.PHASE, new LogEvents.Phase(phase.wireName()));
  }

  byte[] end(LogEvents.End end) {
    return event(null, LogEvents.END, end);
  }

  private byte[] event(String id, String name, Object data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    if (id != null) {
      out.writeBytes(("id:" + id + "\n").getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(("event:" + name + "\ndata:").getBytes(StandardCharsets.UTF_8));
    // compact JSON has no line breaks (those in strings are escaped), so one data line suffices
    out.writeBytes(json.writeValueAsBytes(data));
    out.writeBytes(new byte[] {'\n', '\n'});
    return out.toByteArray();
  }
}
