package dev.kiln.cli.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads the {@code text/event-stream} format: {@code field:value} lines, an event per blank line,
 * comments (lines starting with {@code :}) skipped. Only what the api sends is needed ({@code id},
 * {@code event}, {@code data}); {@code retry} and unknown fields are ignored, as the format says.
 */
public final class SseReader {

  private final BufferedReader lines;

  public SseReader(BufferedReader lines) {
    this.lines = lines;
  }

  /** The next event, or empty once the stream has ended. */
  public Optional<SseEvent> next() throws IOException {
    String id = null;
    String name = null;
    StringBuilder data = null;
    String line;
    while ((line = lines.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null) {
          return Optional.of(new SseEvent(id, name == null ? "message" : name, data.toString()));
        }
        id = null;
        name = null;
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "id" -> id = value;
        case "event" -> name = value;
        case "data" ->
            data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> {
          // retry and fields the format does not know: ignored
        }
      }
    }
    return Optional.empty();
  }
}
