package dev.kiln.cli.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.CliFailure;
import dev.kiln.cli.config.CliConfig;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The api over HTTP, as the command line uses it. Every failure to talk to it (refused, timed out,
 * an answer that is not the api's) and every refusal (4xx/5xx, whose {@code
 * application/problem+json} detail is quoted) becomes a {@link CliFailure} with one line that says
 * what happened.
 *
 * <p>Start-up is most of a command's time, so this client costs as little of it as it can: {@link
 * HttpURLConnection} rather than {@code java.net.http.HttpClient} (which loads about 250 classes
 * and starts a selector thread before its first request), request bodies written with
 * jackson-core's streaming generator, and Jackson's {@link ObjectMapper} made only when an answer
 * is read.
 */
public final class KilnClient {

  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain";
  private static final String EVENT_STREAM = "text/event-stream";

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A log stream with no byte for this long is taken for dead and reopened: the api sends a
   * heartbeat comment every 15 s ({@code kiln.logs.heartbeat}).
   */
  static final Duration STREAM_SILENCE = Duration.ofMinutes(2);

  private final CliConfig config;
  private ObjectMapper json;

  public KilnClient(CliConfig config) {
    this.config = config;
  }

  /** Jackson's mapper, made on first use. */
  public ObjectMapper json() {
    if (json == null) {
      json = new ObjectMapper();
    }
    return json;
  }

  /** {@code POST /rebuild} with these string fields: the api's answer (run id, lane, URLs). */
  public JsonNode rebuild(Map<String, String> fields) {
    return readJson(send("POST", "/rebuild", body(fields), JSON, null));
  }

  /** {@code GET /runs/{id}}: the run view. */
  public JsonNode run(long runId) {
    return readJson(send("GET", "/runs/" + runId, null, JSON, null));
  }

  /** {@code GET /runs} with the given filters (blank ones left out): one page, newest first. */
  public JsonNode runs(Map<String, String> filters) {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    filters.forEach(
        (name, value) -> {
          if (value != null && !value.isBlank()) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
          }
        });
    return readJson(send("GET", "/runs" + query, null, JSON, null));
  }

  /** {@code GET /workers}: every build host that reported, live or lost. */
  public JsonNode workers() {
    return readJson(send("GET", "/workers", null, JSON, null));
  }

  /** {@code PUT /build-jobs/{id}/cancel}: the run view while it is being cancelled. */
  public JsonNode cancel(long runId, String reason) {
    Map<String, String> fields = reason == null ? Map.of() : Map.of("reason", reason);
    return readJson(send("PUT", "/build-jobs/" + runId + "/cancel", body(fields), JSON, null));
  }

  /** {@code GET /runs/{id}/logs} as plain text: the log so far. */
  public InputStream log(long runId) {
    return body(send("GET", "/runs/" + runId + "/logs", null, TEXT, null));
  }

  /**
   * {@code GET /runs/{id}/logs} as {@code text/event-stream}: the log from after {@code
   * lastEventId} (from the beginning when null), live, and an {@code end} event once the run has a
   * result. A read that waits longer than {@link #STREAM_SILENCE} throws, so the caller reopens.
   */
  public SseReader logEvents(long runId, String lastEventId) {
    HttpURLConnection connection =
        send("GET", "/runs/" + runId + "/logs", null, EVENT_STREAM, lastEventId);
    return new SseReader(
        new BufferedReader(new InputStreamReader(body(connection), StandardCharsets.UTF_8)));
  }

  private static byte[] body(Map<String, String> fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator writer = new JsonFactory().createGenerator(bytes)) {
      writer.writeStartObject();
      for (Map.Entry<String, String> field : fields.entrySet()) {
        writer.writeStringField(field.getKey(), field.getValue());
      }
      writer.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Sends one request and returns the connection once its status is known and below 400.
   *
   * @param accept the media type asked for; {@link #EVENT_STREAM} makes a stream without a read
   *     timeout shorter than {@link #STREAM_SILENCE}
   * @param lastEventId where a log stream resumes, or null
   */
  private HttpURLConnection send(
      String method, String path, byte[] body, String accept, String lastEventId) {
    boolean stream = accept.equals(EVENT_STREAM);
    HttpURLConnection connection;
    try {
      connection = (HttpURLConnection) new URL(config.url() + path).openConnection();
    } catch (IOException e) {
      throw unreachable(e);
    }
    connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
    connection.setReadTimeout((int) (stream ? STREAM_SILENCE : REQUEST_TIMEOUT).toMillis());
    connection.setUseCaches(false);
    connection.setRequestProperty("User-Agent", "kiln-cli");
    config
        .token()
        .ifPresent(token -> connection.setRequestProperty("Authorization", "Bearer " + token));
    // HttpURLConnection's default Accept names text/html first, which GET /runs/{id} answers
    // with the run's web page
    connection.setRequestProperty("Accept", accept);
    if (lastEventId != null) {
      connection.setRequestProperty("Last-Event-ID", lastEventId);
    }
    try {
      connection.setRequestMethod(method);
      if (body != null) {
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", JSON);
        connection.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = connection.getOutputStream()) {
          out.write(body);
        }
      }
      int status = connection.getResponseCode();
      if (status >= 400) {
        throw refused(status, connection);
      }
      return connection;
    } catch (SocketTimeoutException e) {
      if (connecting(e)) {
        throw unreachable(e);
      }
      throw new CliFailure(
          method + " " + path + ": no answer from " + config.url() + " within " + timeout());
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private JsonNode readJson(HttpURLConnection connection) {
    try (InputStream body = connection.getInputStream()) {
      return json().readTree(body);
    } catch (IOException e) {
      throw new CliFailure(
          "unexpected answer from " + config.url() + " (not JSON): " + e.getMessage());
    }
  }

  private InputStream body(HttpURLConnection connection) {
    try {
      return connection.getInputStream();
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private CliFailure refused(int status, HttpURLConnection connection) {
    String detail = "";
    InputStream error = connection.getErrorStream();
    if (error != null) {
      try (error) {
        detail = ApiProblems.detail(json(), error.readAllBytes());
      } catch (IOException e) {
        // the status alone then
      }
    }
    return new CliFailure(ApiProblems.describe(status, detail, config));
  }

  private static boolean connecting(SocketTimeoutException e) {
    return e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("connect");
  }

  private static String timeout() {
    return REQUEST_TIMEOUT.toSeconds() + " s";
  }

  private CliFailure unreachable(IOException e) {
    String why;
    if (e instanceof SocketTimeoutException) {
      why = "connection timed out";
    } else if (e instanceof ConnectException) {
      why = e.getMessage() == null ? "connection refused" : e.getMessage().toLowerCase(Locale.ROOT);
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new CliFailure(
        "cannot reach Kiln at "
            + config.url()
            + ": "
            + why
            + " (set KILN_URL, or url= in ~/.config/kiln/config)");
  }
}
