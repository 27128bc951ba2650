package dev.kiln.api.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A minimal EventSource: one GET with {@code Accept: text/event-stream}, the body read line by line
 * on a thread of its own and parsed as the SSE spec says (fields, comments, blank line dispatches).
 * It does not reconnect; tests reconnect explicitly with {@code Last-Event-ID}.
 */
public final class SseClient implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One dispatched event. {@code id} is null when the event had none. */
  public record Event(String id, String name, String data) {
    public JsonNode json() {
      return JSON.readTree(data);
    }
  }

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<String> comments = new CopyOnWriteArrayList<>();
  private final HttpResponse<InputStream> response;
  private final Thread reader;
  private volatile boolean ended;
  private volatile Throwable failure;

  private SseClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-client");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * @param headers name, value pairs added to the request (e.g. {@code Last-Event-ID})
   */
  public static SseClient connect(int port, String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Accept", "text/event-stream")
            .GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      HttpResponse<InputStream> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      return new SseClient(response);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int status() {
    return response.statusCode();
  }

  public String contentType() {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  public List<Event> events(String name) {
    return events.stream().filter(e -> name.equals(e.name())).toList();
  }

  public List<String> comments() {
    return List.copyOf(comments);
  }

  /** Whether the server ended the response (or reading it failed). */
  public boolean ended() {
    return ended;
  }

  public Throwable failure() {
    return failure;
  }

  /** The id of the last event that had one, as an EventSource would resend it. */
  public String lastEventId() {
    String id = null;
    for (Event e : events) {
      if (e.id() != null) {
        id = e.id();
      }
    }
    return id;
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      String name = null;
      List<String> data = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(id, name == null ? "message" : name, String.join("\n", data)));
          }
          id = null;
          name = null;
          data.clear();
        } else if (line.startsWith(":")) {
          comments.add(value(line.substring(1)));
        } else {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : value(line.substring(colon + 1));
          switch (field) {
            case "id" -> id = value;
            case "event" -> name = value;
            case "data" -> data.add(value);
            default -> {}
          }
        }
      }
    } catch (IOException e) {
      failure = e;
    } finally {
      ended = true;
    }
  }

  private static String value(String raw) {
    return raw.startsWith(" ") ? raw.substring(1) : raw;
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException ignored) {
      // closing is all we wanted
    }
  }
}
