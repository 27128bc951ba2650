package dev.kiln.api.artifacts;

import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Uploads from workers, listings and downloads for clients. */
@Service
public class ArtifactService {

  private static final Logger log = LoggerFactory.getLogger(ArtifactService.class);
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final RunRepository runs;
  private final ArtifactRepository artifacts;
  private final ArtifactStore store;

  public ArtifactService(RunRepository runs, ArtifactRepository artifacts, ArtifactStore store) {
    this.runs = runs;
    this.artifacts = artifacts;
    this.store = store;
  }

  /** A file to send, and what the ledger says it is. */
  public record Download(StoredArtifact artifact, Path file) {}

  /**
   * Stores an artifact of a run that fetch has resolved (the store is keyed by sha and arch).
   *
   * @param sha256Header the client's {@code X-Kiln-Sha256}
   * @param declaredLength the request's Content-Length, or -1 when it sent none
   */
  public StoredArtifact upload(
      long runId, String path, String sha256Header, long declaredLength, InputStream body)
      throws IOException {
    if (declaredLength > store.maxSize()) {
      throw ApiException.payloadTooLarge(
          "artifact is larger than the limit of "
              + store.maxSize()
              + " bytes (kiln.artifacts.max-size)");
    }
    if (sha256Header == null || sha256Header.isBlank()) {
      throw ApiException.badRequest("X-Kiln-Sha256 header is required");
    }
    String expected = sha256Header.trim().toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(expected).matches()) {
      throw ApiException.badRequest("X-Kiln-Sha256: must be 64 hex digits");
    }
    String normalised = ArtifactPaths.normalise(path);
    RunRecord run = runs.find(runId).orElseThrow(() -> ApiException.runNotFound(runId));
    if (run.result().isTerminal()) {
      throw ended(run);
    }
    if (run.sha() == null) {
      throw ApiException.conflict(
          "run " + runId + " has no resolved sha yet; artifacts are stored by sha and arch");
    }
    String key = ArtifactPaths.storageKey(run.sha(), run.arch(), normalised);
    ArtifactStore.Stored stored = store.store(key, body, expected);
    log.info("stored artifact {} ({} bytes) of run {}", normalised, stored.size(), runId);
    return artifacts
        .upsert(runId, normalised, stored.size(), stored.sha256(), key)
        // it ended while the bytes arrived; they stay in the store, unreferenced, like any
        // replaced upload
        .orElseThrow(() -> ended(runs.find(runId).orElseThrow()));
  }

  private static ApiException ended(RunRecord run) {
    return ApiException.conflict(
        "run "
            + run.id()
            + " has ended ("
            + run.result().wireName()
            + "); a finished run's artifacts are final");
  }

  public List<StoredArtifact> list(long runId) {
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
    return artifacts.findByRun(runId);
  }

  public Download download(long runId, String path) throws IOException {
    String normalised = ArtifactPaths.normalise(path);
    StoredArtifact artifact =
        artifacts
            .find(runId, normalised)
            .orElseThrow(
                () ->
                    runs.exists(runId)
                        ? ApiException.notFound(
                            "run " + runId + " has no artifact \"" + normalised + "\"")
                        : ApiException.runNotFound(runId));
    Path file =
        store
            .find(artifact.storageKey())
            .orElseThrow(
                () ->
                    new ApiException(
                        HttpStatus.GONE,
                        "artifact \""
                            + normalised
                            + "\" of run "
                            + runId
                            + " is recorded but its file is no longer stored"));
    return new Download(artifact, file);
  }
}
