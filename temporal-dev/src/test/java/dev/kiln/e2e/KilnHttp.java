package dev.kiln.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;

/** The api as curl sees it. */
final class KilnHttp {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final HttpClient http = HttpClient.newHttpClient();

  KilnHttp(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  record Answer(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  Answer rebuild(Map<String, Object> body) throws Exception {
    return post("/rebuild", JSON.writeValueAsString(body));
  }

  /** {@code POST /rebuild} with an {@code Idempotency-Key} header. */
  Answer rebuild(Map<String, Object> body, String idempotencyKey) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + "/rebuild"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build());
  }

  Answer post(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** {@code POST} of exactly these bytes, with these headers (name, value, name, value, …). */
  Answer post(String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  Answer put(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  Answer patch(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** {@code PUT} of a plain-text body, as a secret's value is set. */
  Answer putText(String path, String text) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Content-Type", "text/plain; charset=utf-8")
            .PUT(HttpRequest.BodyPublishers.ofString(text))
            .build());
  }

  Answer delete(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).DELETE().build());
  }

  Answer get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().build());
  }

  /** Polls the run view, as a headless poller would, until the run has a terminal result. */
  JsonNode awaitEnd(long runId, Duration timeout) {
    JsonNode[] run = {null};
    Awaitility.await("run " + runId + " ended")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .pollDelay(Duration.ZERO)
        .until(
            () -> {
              Answer answer = get("/runs/" + runId);
              // a 503 says "try again shortly" (no database connection in time): not the end
              if (answer.status() != 200) {
                return false;
              }
              run[0] = answer.json();
              return !"building".equals(run[0].path("result").asText());
            });
    return run[0];
  }

  private Answer send(HttpRequest request) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(request, (name, value) -> true)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body());
  }
}
