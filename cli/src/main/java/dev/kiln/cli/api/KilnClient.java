package dev.kiln.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.cli.CliFailure;
import dev.kiln.cli.config.CliConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The api over HTTP, as the command line uses it. Every failure to talk to it (refused, timed out,
 * an answer that is not the api's) and every refusal (4xx/5xx, whose {@code
 * application/problem+json} detail is quoted) becomes a {@link CliFailure} with one line that says
 * what happened.
 */
public final class KilnClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final CliConfig config;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  public KilnClient(CliConfig config) {
    this.config = config;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  public ObjectMapper json() {
    return json;
  }

  /** {@code POST /rebuild}: the api's answer (run id, lane, URLs, any warning). */
  public JsonNode rebuild(ObjectNode body) {
    return send(
        request("/rebuild", REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build());
  }

  /** {@code GET /runs/{id}}: the run view. */
  public JsonNode run(long runId) {
    return send(request("/runs/" + runId, REQUEST_TIMEOUT).GET().build());
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
    return send(request("/runs" + query, REQUEST_TIMEOUT).GET().build());
  }

  /** {@code PUT /build-jobs/{id}/cancel}: the run view while it is being cancelled. */
  public JsonNode cancel(long runId, String reason) {
    ObjectNode body = json.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    return send(
        request("/build-jobs/" + runId + "/cancel", REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build());
  }

  /** {@code GET /runs/{id}/logs} as plain text: the log so far. */
  public InputStream log(long runId) {
    HttpResponse<InputStream> response =
        exchange(request("/runs/" + runId + "/logs", null).GET().build());
    return checked(response).body();
  }

  /**
   * {@code GET /runs/{id}/logs} as {@code text/event-stream}: the log from after {@code
   * lastEventId} (from the beginning when null), live, and an {@code end} event once the run has a
   * result. No request timeout: the stream lasts as long as the build.
   */
  public SseReader logEvents(long runId, String lastEventId) {
    HttpRequest.Builder request =
        request("/runs/" + runId + "/logs", null).header("Accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response = checked(exchange(request.build()));
    return new SseReader(
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8)));
  }

  private HttpRequest.Builder request(String path, Duration timeout) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(config.url() + path)).header("User-Agent", "kiln-cli");
    if (timeout != null) {
      builder.timeout(timeout);
    }
    config.token().ifPresent(token -> builder.header("Authorization", "Bearer " + token));
    return builder;
  }

  private JsonNode send(HttpRequest request) {
    HttpResponse<InputStream> response = checked(exchange(request));
    try (InputStream body = response.body()) {
      return json.readTree(body);
    } catch (IOException e) {
      throw new CliFailure(
          "unexpected answer from " + config.url() + " (not JSON): " + e.getMessage());
    }
  }

  private HttpResponse<InputStream> exchange(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      throw unreachable("connection timed out");
    } catch (HttpTimeoutException e) {
      throw new CliFailure(
          request.method() + " " + request.uri().getPath() + ": no answer within " + timeout());
    } catch (ConnectException e) {
      throw unreachable(e.getMessage() == null ? "connection refused" : e.getMessage());
    } catch (IOException e) {
      throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure("interrupted");
    }
  }

  private static String timeout() {
    return REQUEST_TIMEOUT.toSeconds() + " s";
  }

  private CliFailure unreachable(String why) {
    return new CliFailure(
        "cannot reach Kiln at "
            + config.url()
            + ": "
            + why
            + " (set KILN_URL, or url= in ~/.config/kiln/config)");
  }

  private HttpResponse<InputStream> checked(HttpResponse<InputStream> response) {
    if (response.statusCode() < 400) {
      return response;
    }
    String detail;
    try (InputStream body = response.body()) {
      detail = ApiProblems.detail(json, body.readAllBytes());
    } catch (IOException e) {
      detail = "";
    }
    throw new CliFailure(ApiProblems.describe(response.statusCode(), detail, config));
  }
}
