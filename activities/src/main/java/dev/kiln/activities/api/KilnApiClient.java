package dev.kiln.activities.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.activities.RunAttempt;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.ArtifactAnswer;
import dev.kiln.workflows.internal.InternalJson;
import dev.kiln.workflows.internal.InternalPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The worker's only way to the system of record: the api's {@code /internal} endpoints
 * (docs/internal-api.md), called with the paths of {@link InternalPaths} and the bodies of {@code
 * InternalBodies}. Build hosts hold no database credentials, only this URL and a token.
 */
public class KilnApiClient {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Until a download's answer starts: the api sends a stored file, at once. */
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(2);

  private final URI baseUrl;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json = InternalJson.newMapper();

  public KilnApiClient(URI baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** POSTs {@code body} as JSON to {@code path} (one of {@link InternalPaths}), no answer read. */
  public void post(String path, Object body) {
    post(path, body, Void.class);
  }

  /**
   * POSTs {@code body} as JSON to {@code path} (one of {@link InternalPaths}).
   *
   * @return the answer, or null when the api sent no body
   */
  public <T> T post(String path, Object body, Class<T> answer) {
    HttpRequest request =
        authorized(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(body)))
            .build();
    return send(request, answer);
  }

  /**
   * POSTs a write for {@code attempt}, fenced: see {@link #post(RunAttempt, String, Object,
   * Class)}.
   */
  public void post(RunAttempt attempt, String path, Object body) {
    post(attempt, path, body, Void.class);
  }

  /**
   * POSTs a write a build host makes for one attempt of a run, with the attempt's number in {@link
   * AttemptFencing#ATTEMPT_HEADER}. Nothing is sent for an attempt already superseded; an answer
   * that the attempt is stale supersedes it (killing its commands).
   *
   * @throws StaleAttemptException the attempt is superseded
   */
  public <T> T post(RunAttempt attempt, String path, Object body, Class<T> answer) {
    HttpRequest request =
        fenced(attempt, path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(body)))
            .build();
    return sendFenced(attempt, request, answer);
  }

  /**
   * GETs {@code path} (one of {@link InternalPaths}).
   *
   * @return the answer, or null when the api sent no body
   */
  public <T> T get(String path, Class<T> answer) {
    return send(authorized(path).GET().build(), answer);
  }

  /**
   * GETs {@code path} (one of {@link InternalPaths}) as a stream of bytes, for the caller to read
   * and close.
   *
   * @throws ApiRejectedException the api answered 3xx, 4xx or 5xx
   * @throws ApiUnavailableException the api could not be reached
   */
  public InputStream download(String path) {
    HttpRequest request = authorized(path).timeout(DOWNLOAD_TIMEOUT).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ApiUnavailableException("GET " + request.uri().getPath() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiUnavailableException("interrupted calling the api", e);
    }
    if (response.statusCode() >= 300) {
      try (InputStream body = response.body()) {
        String text = new String(body.readNBytes(8192), StandardCharsets.UTF_8);
        throw ApiRejectedException.of(request, response.statusCode(), text);
      } catch (IOException e) {
        throw ApiRejectedException.of(request, response.statusCode(), "");
      }
    }
    return response.body();
  }

  /**
   * Streams a file to {@code PUT /internal/runs/{id}/artifacts?path=…}, fenced as {@link
   * #post(RunAttempt, String, Object, Class)} is.
   */
  public ArtifactAnswer uploadArtifact(
      RunAttempt attempt, String relativePath, Path file, String sha256) {
    try {
      HttpRequest request =
          fenced(attempt, InternalPaths.artifact(attempt.runId(), relativePath))
              .header("Content-Type", "application/octet-stream")
              .header("X-Kiln-Sha256", sha256)
              .timeout(Duration.ofMinutes(30))
              .PUT(HttpRequest.BodyPublishers.ofFile(file))
              .build();
      return sendFenced(attempt, request, ArtifactAnswer.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpRequest.Builder fenced(RunAttempt attempt, String path) {
    if (attempt.isSuperseded()) {
      throw StaleAttemptException.notSent(attempt, path);
    }
    HttpRequest.Builder builder = authorized(path);
    if (attempt.number() > 0) {
      builder.header(AttemptFencing.ATTEMPT_HEADER, Integer.toString(attempt.number()));
    }
    return builder;
  }

  private <T> T sendFenced(RunAttempt attempt, HttpRequest request, Class<T> answer) {
    try {
      return send(request, answer);
    } catch (ApiRejectedException e) {
      if (!e.isStaleAttempt()) {
        throw e;
      }
      attempt.supersede("the api refused a write: " + e.detail());
      throw StaleAttemptException.refused(e);
    }
  }

  private HttpRequest.Builder authorized(String path) {
    return HttpRequest.newBuilder(baseUrl.resolve(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private <T> T send(HttpRequest request, Class<T> answer) {
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
    if (answer == Void.class || response.body().isEmpty()) {
      return null;
    }
    return parse(response.body(), answer);
  }

  private byte[] toJson(Object body) {
    try {
      return json.writeValueAsBytes(body == null ? Map.of() : body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private <T> T parse(String body, Class<T> answer) {
    try {
      return json.readValue(body, answer);
    } catch (IOException e) {
      throw new ApiUnavailableException("unreadable answer from the api: " + body, e);
    }
  }
}
