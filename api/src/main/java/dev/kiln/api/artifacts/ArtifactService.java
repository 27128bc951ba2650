package dev.kiln.api.artifacts;

import dev.kiln.api.artifacts.ArtifactRepository.Recording;
import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.fencing.AttemptFence;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRemovals;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
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
  private final ArtifactRepository.Quota quota;
  private final RunRemovals removals;
  private final AttemptFence fence;

  public ArtifactService(
      RunRepository runs,
      ArtifactRepository artifacts,
      ArtifactStore store,
      KilnProperties properties,
      RunRemovals removals,
      AttemptFence fence) {
    this.runs = runs;
    this.fence = fence;
    this.removals = removals;
    this.artifacts = artifacts;
    this.store = store;
    this.quota =
        new ArtifactRepository.Quota(
            properties.artifacts().maxCount(), properties.artifacts().maxTotalSize().toBytes());
  }

  /** What to send, and what the ledger says it is. */
  public record Download(StoredArtifact artifact, Resource content) {}

  /**
   * Stores an artifact of a building run under {@code runs/<run>/<path>}, within the run's quotas.
   *
   * @param attempt the build host's attempt ({@link AttemptFence}): checked before the bytes are
   *     read, and again when they are put in place; {@code null} is not checked
   * @param sha256Header the client's {@code X-Kiln-Sha256}
   * @param declaredLength the request's Content-Length, or -1 when it sent none
   */
  public StoredArtifact upload(
      long runId,
      Integer attempt,
      String path,
      String sha256Header,
      long declaredLength,
      InputStream body)
      throws IOException {
    // first: a stale attempt's upload is refused before its bytes are taken
    fence.check(runId, attempt, "artifacts");
    if (declaredLength > store.maxSize()) {
      throw store.tooLarge(store.maxSize());
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
    ArtifactRepository.Usage before = artifacts.usage(runId, normalised);
    checkQuota(runId, normalised, before, Math.max(declaredLength, 0));
    long room = quota.maxBytes() - before.bytes();
    ArtifactStore.Staged staged =
        store.stage(
            body,
            expected,
            Math.min(store.maxSize(), room),
            limit ->
                limit < store.maxSize()
                    ? overBytes(runId, normalised, before, "more than " + limit + " bytes")
                    : store.tooLarge(limit));
    try {
      String key = ArtifactPaths.storageKey(runId, normalised);
      Recording recording =
          artifacts.record(
              runId,
              normalised,
              staged.size(),
              staged.sha256(),
              key,
              quota,
              () -> {
                fence.admit(runId, attempt, "artifacts");
                store.commit(staged, key);
              });
      if (recording instanceof Recording.Recorded recorded) {
        log.info("stored artifact {} ({} bytes) of run {}", normalised, staged.size(), runId);
        return recorded.artifact();
      }
      if (recording instanceof Recording.OverQuota over) {
        checkQuota(
            runId,
            normalised,
            new ArtifactRepository.Usage(over.count(), over.bytes()),
            staged.size());
      }
      // the run ended while the bytes arrived; they were never put in place
      throw ended(runs.find(runId).orElseThrow());
    } finally {
      store.discard(staged);
    }
  }

  /** A 413 naming the quota, when storing {@code size} more bytes would exceed one. */
  private void checkQuota(long runId, String path, ArtifactRepository.Usage others, long size) {
    if (others.count() + 1 > quota.maxCount()) {
      throw ApiException.payloadTooLarge(
          "run "
              + runId
              + " already has "
              + others.count()
              + " artifacts, the most one run may keep (kiln.artifacts.max-count = "
              + quota.maxCount()
              + "); \""
              + path
              + "\" was not stored");
    }
    if (others.bytes() + size > quota.maxBytes()) {
      throw overBytes(runId, path, others, size + " bytes");
    }
  }

  private ApiException overBytes(
      long runId, String path, ArtifactRepository.Usage others, String size) {
    return ApiException.payloadTooLarge(
        "\""
            + path
            + "\" ("
            + size
            + ") would take run "
            + runId
            + "'s artifacts past "
            + quota.maxBytes()
            + " bytes, the most one run may keep (kiln.artifacts.max-total-size); its other "
            + others.count()
            + " artifacts take "
            + others.bytes()
            + " bytes");
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
    removals.requireKept(runId, "artifacts");
    StoredArtifact artifact =
        artifacts
            .find(runId, normalised)
            .orElseThrow(
                () ->
                    runs.exists(runId)
                        ? ApiException.notFound(
                            "run " + runId + " has no artifact \"" + normalised + "\"")
                        : ApiException.runNotFound(runId));
    Resource content =
        store
            .find(artifact.storageKey(), artifact.sha256())
            .orElseThrow(
                () ->
                    new ApiException(
                        HttpStatus.GONE,
                        "artifact \""
                            + normalised
                            + "\" of run "
                            + runId
                            + " is recorded but its file is no longer stored"));
    return new Download(artifact, content);
  }
}
