package dev.kiln.api.submissions;

import dev.kiln.api.artifacts.ArtifactStore;
import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.Caller;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.limits.RequestLimits;
import dev.kiln.api.rebuild.RebuildService;
import dev.kiln.api.rebuild.RebuildValidator;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRemovals;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.RunPriority;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Service;

/**
 * Local submissions: an uploaded git bundle of a working tree's snapshot commit becomes a run of
 * that commit ({@code repo} {@code local:<name>}, see {@code LocalSubmissions}). The upload is kept
 * in the artifact store under {@code submissions/<run>.bundle}, for the worker's fetch (again after
 * a lost host), until retention removes it with the run's logs and artifacts.
 */
@Service
public class SubmissionService {

  private static final Logger log = LoggerFactory.getLogger(SubmissionService.class);

  private final RebuildValidator validator;
  private final RebuildService rebuilds;
  private final SubmissionRepository submissions;
  private final ArtifactStore store;
  private final RunRemovals removals;
  private final Access access;
  private final RequestLimits limits;
  private final long maxBytes;

  SubmissionService(
      RebuildValidator validator,
      RebuildService rebuilds,
      SubmissionRepository submissions,
      ArtifactStore store,
      RunRemovals removals,
      Access access,
      RequestLimits limits,
      SubmissionProperties properties) {
    this.validator = validator;
    this.rebuilds = rebuilds;
    this.submissions = submissions;
    this.store = store;
    this.removals = removals;
    this.access = access;
    this.limits = limits;
    this.maxBytes = properties.maxBytes().toBytes();
  }

  /** A stored upload to send to a worker. */
  public record Download(Resource content, long size, String sha256) {}

  /**
   * Checks who asks and what, takes the upload (at most {@code kiln.submissions.max-bytes}) and
   * starts its run.
   *
   * @param declaredLength the request's Content-Length, or -1 when it sent none
   * @throws ApiException 413 past the limit (before reading when the length is declared), 400 for a
   *     body that is no bundle of one commit, 403 for a token limited to repositories or without
   *     {@code trigger} (or {@code urgent}), 429, 503 as for {@code POST /rebuild}
   */
  public RebuildService.Outcome submit(
      String name, String arch, String priority, long declaredLength, InputStream body)
      throws IOException {
    NewRun draft = validator.submission(name, arch, priority);
    Caller caller = access.require(Scope.TRIGGER);
    if (!caller.repos().matchesAny()) {
      throw ApiException.forbidden(
          "token \""
              + caller.name()
              + "\" is limited to repositories; a local submission builds code from no repository,"
              + " so it needs a token with scope \"trigger\" on every repository");
    }
    if (draft.priority() == RunPriority.URGENT && !caller.has(Scope.URGENT)) {
      throw ApiException.forbidden(
              "priority \"urgent\" jumps every queue: it needs scope \"urgent\" (or \"admin\")")
          .with("missing_scope", Scope.URGENT.wireName());
    }
    if (declaredLength > maxBytes) {
      throw tooLarge(declaredLength + " bytes");
    }
    limits.takeRebuild(caller);
    ArtifactStore.Staged staged =
        store.stage(body, null, maxBytes, limit -> tooLarge("more than " + limit + " bytes"));
    try {
      String sha = BundleHeader.commitOf(staged.file());
      NewRun run = atCommit(draft, sha);
      return rebuilds.rebuild(run, caller.name(), runId -> keep(runId, staged, sha));
    } finally {
      store.discard(staged);
    }
  }

  /** The run's upload, for the worker that fetches it. */
  public Download download(long runId) throws IOException {
    removals.requireKept(runId, "upload");
    SubmissionRepository.Upload upload =
        submissions
            .find(runId)
            .orElseThrow(
                () -> ApiException.notFound("run " + runId + " is not a local submission"));
    Resource content =
        store
            .find(upload.storageKey(), upload.sha256())
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "the upload of run " + runId + " is recorded but no longer stored"));
    return new Download(content, upload.size(), upload.sha256());
  }

  /** Puts the upload in place for run {@code runId}, before its workflow starts. */
  private void keep(long runId, ArtifactStore.Staged staged, String sha) {
    String key = storageKey(runId);
    try {
      store.commit(staged, key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    submissions.insert(
        new SubmissionRepository.Upload(runId, key, staged.size(), staged.sha256(), sha));
    log.info("stored the upload of run {} ({} bytes, commit {})", runId, staged.size(), sha);
  }

  static String storageKey(long runId) {
    return "submissions/" + runId + ".bundle";
  }

  private static NewRun atCommit(NewRun draft, String sha) {
    return new NewRun(
        draft.repo(),
        sha,
        draft.arch(),
        draft.lane(),
        null,
        draft.priority(),
        false,
        null,
        List.of(),
        null);
  }

  private ApiException tooLarge(String size) {
    return ApiException.payloadTooLarge(
        "the upload ("
            + size
            + ") is larger than the "
            + maxBytes
            + " bytes a local submission may be (kiln.submissions.max-bytes); leave build"
            + " output and other large files out with .gitignore");
  }
}
