package dev.kiln.activities.ledger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The worker's only way to the system of record: the api's {@code /internal} endpoints
 * (docs/internal-api.md). Build hosts hold no database credentials, only this URL and a token.
 */
public class KilnApiClient {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI baseUrl;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json;

  public KilnApiClient(URI baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.json =
        new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  }

  /** POSTs {@code body} as JSON to {@code /internal/<path>}; returns the parsed answer or null. */
  public JsonNode post(String path, Object body) {
    HttpRequest request =
        authorized(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(body)))
            .build();
    return send(request);
  }

  /** GETs {@code /internal/<path>}; returns the parsed answer or null. */
  public JsonNode get(String path) {
    return send(authorized(path).GET().build());
  }

  /** Streams a file to {@code PUT /internal/runs/{id}/artifacts?path=…}. */
  public JsonNode uploadArtifact(long runId, String relativePath, Path file, String sha256) {
    try {
      HttpRequest request =
          authorized(
                  "runs/"
                      + runId
                      + "/artifacts?path="
                      + URLEncoder.encode(relativePath, StandardCharsets.UTF_8))
              .header("Content-Type", "application/octet-stream")
              .header("X-Kiln-Sha256", sha256)
              .timeout(Duration.ofMinutes(30))
              .PUT(HttpRequest.BodyPublishers.ofFile(file))
              .build();
      return send(request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpRequest.Builder authorized(String path) {
    return HttpRequest.newBuilder(baseUrl.resolve("/internal/" + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private JsonNode send(HttpRequest request) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ApiUnavailableException(
          request.method() + " " + request.uri().getPath() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiUnavailableException("interrupted calling the api", e);
    }
    if (response.statusCode() >= 300) {
      throw ApiRejectedException.of(request, response.statusCode(), response.body());
    }
    return response.body().isEmpty() ? null : parse(response.body());
  }

  private byte[] toJson(Object body) {
    try {
      return json.writeValueAsBytes(body == null ? Map.of() : body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode parse(String body) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new ApiUnavailableException("unreadable answer from the api: " + body, e);
    }
  }
}
