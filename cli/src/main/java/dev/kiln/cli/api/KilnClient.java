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
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static final String BUNDLE = "application/x-git-bundle";

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

  /**
   * {@code POST /submissions?name=…&arch=…&priority=…} with a git bundle as the body: the api's
   * answer, as for {@link #rebuild}. The request says {@code Expect: 100-continue}, so an api that
   * refuses the upload (too large, no token, no scope, no rebuilds left) says so before a byte of
   * the bundle is sent.
   */
  public JsonNode submit(Path bundle, Map<String, String> query) {
    String path = "/submissions" + query(query);
    HttpURLConnection connection = open(path, JSON, null, REQUEST_TIMEOUT);
    long size;
    try {
      size = Files.size(bundle);
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", BUNDLE);
      connection.setRequestProperty("Expect", "100-continue");
      connection.setFixedLengthStreamingMode(size);
      try (OutputStream out = connection.getOutputStream()) {
        Files.copy(bundle, out);
      } catch (ProtocolException refusedBeforeTheBody) {
        throw refusedUpload(path, connection.getResponseCode(), size);
      }
      return readJson(answered("POST", path, connection));
    } catch (SocketTimeoutException e) {
      throw timedOut("POST", path, e);
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /**
   * The api answered the {@code Expect} with a refusal, whose body HttpURLConnection does not keep:
   * a 413 is said here; any other refusal (401, 403, 429) the api repeats, with its detail, to the
   * same request without a body.
   */
  private CliFailure refusedUpload(String path, int status, long size) throws IOException {
    if (status == 413) {
      return new CliFailure(
          ApiProblems.describe(
              status,
              "the upload ("
                  + size
                  + " bytes) is larger than "
                  + config.url()
                  + " takes (kiln.submissions.max-bytes); leave build output and other large"
                  + " files out with .gitignore",
              config));
    }
    HttpURLConnection again = open(path, JSON, null, REQUEST_TIMEOUT);
    again.setRequestMethod("POST");
    again.setDoOutput(true);
    again.setRequestProperty("Content-Type", BUNDLE);
    again.setFixedLengthStreamingMode(0);
    again.getOutputStream().close();
    answered("POST", path, again); // throws the api's refusal, detail and all
    again.disconnect();
    return new CliFailure(ApiProblems.describe(status, "", config));
  }

  /** {@code POST /runs/{id}/retry}: the new run, as for {@link #rebuild}. */
  public JsonNode retry(long runId) {
    return readJson(send("POST", "/runs/" + runId + "/retry", null, JSON, null));
  }

  /** {@code GET /build-jobs/queue/status}: per architecture, what waits and who serves it. */
  public JsonNode queue() {
    return readJson(send("GET", "/build-jobs/queue/status", null, JSON, null));
  }

  /** {@code GET /runs/{id}}: the run view. */
  public JsonNode run(long runId) {
    return readJson(send("GET", "/runs/" + runId, null, JSON, null));
  }

  /** {@code GET /runs} with the given filters (blank ones left out): one page, newest first. */
  public JsonNode runs(Map<String, String> filters) {
    return readJson(send("GET", "/runs" + query(filters), null, JSON, null));
  }

  /** {@code ?name=value&…} of the non-blank values, or nothing. */
  private static String query(Map<String, String> parameters) {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    parameters.forEach(
        (name, value) -> {
          if (value != null && !value.isBlank()) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
          }
        });
    return query.toString();
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
    HttpURLConnection connection =
        open(path, accept, lastEventId, stream ? STREAM_SILENCE : REQUEST_TIMEOUT);
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
      return answered(method, path, connection);
    } catch (SocketTimeoutException e) {
      throw timedOut(method, path, e);
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /**
   * A connection to {@code path}, not yet sent.
   *
   * @param accept the media type asked for
   * @param lastEventId where a log stream resumes, or null
   */
  private HttpURLConnection open(
      String path, String accept, String lastEventId, Duration readTimeout) {
    HttpURLConnection connection;
    try {
      connection = (HttpURLConnection) new URL(config.url() + path).openConnection();
    } catch (IOException e) {
      throw unreachable(e);
    }
    connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
    connection.setReadTimeout((int) readTimeout.toMillis());
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
    return connection;
  }

  /** The connection once its status is known and below 400. */
  private HttpURLConnection answered(String method, String path, HttpURLConnection connection)
      throws IOException {
    try {
      int status = connection.getResponseCode();
      if (status >= 400) {
        throw refused(status, connection);
      }
      return connection;
    } catch (SocketTimeoutException e) {
      throw timedOut(method, path, e);
    }
  }

  private CliFailure timedOut(String method, String path, SocketTimeoutException e) {
    if (connecting(e)) {
      return unreachable(e);
    }
    return new CliFailure(
        method + " " + path + ": no answer from " + config.url() + " within " + timeout());
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
