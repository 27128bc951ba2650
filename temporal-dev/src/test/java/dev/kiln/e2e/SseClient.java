package dev.kiln.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A {@code text/event-stream} client as a browser's EventSource reads it: {@code id:}, {@code
 * event:} and {@code data:} fields, comments ignored, a blank line ends an event. Closing it drops
 * the connection, as a killed client would.
 */
final class SseClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** One event; {@code id} is null when the server sent none. */
  record Event(String id, String name, String data) {
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new AssertionError("event data is not JSON: " + data, e);
      }
    }
  }

  private final InputStream body;
  private final BufferedReader reader;

  private SseClient(InputStream body) {
    this.body = body;
    this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
  }

  /**
   * Opens {@code url} with {@code Accept: text/event-stream}.
   *
   * @param lastEventId sent as {@code Last-Event-ID} to resume, or null to start afresh
   */
  static SseClient open(String url, String lastEventId) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (response.statusCode() != 200 || !type.startsWith("text/event-stream")) {
      String text = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
      throw new AssertionError("not an event stream (" + response.statusCode() + "): " + text);
    }
    return new SseClient(response.body());
  }

  /** The next event, or null when the server ended the response. */
  Event next() throws IOException {
    String id = null;
    String name = null;
    StringBuilder data = null;
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        if (data != null || name != null) {
          return new Event(
              id, name == null ? "message" : name, data == null ? "" : data.toString());
        }
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
          // retry and unknown fields mean nothing to these tests
        }
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
