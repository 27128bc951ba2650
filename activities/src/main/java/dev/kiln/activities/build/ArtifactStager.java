package dev.kiln.activities.build;

import dev.kiln.activities.RunAttempt;
import dev.kiln.activities.api.ApiRejectedException;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.activities.logs.StepLog;
import dev.kiln.workflows.activities.ArtifactRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Uploads the files matching a plan's artifact globs to the api, with size and sha256. */
final class ArtifactStager {

  private final KilnApiClient api;

  ArtifactStager(KilnApiClient api) {
    this.api = api;
  }

  List<ArtifactRecord> stage(
      RunAttempt attempt, Path workspace, List<String> globs, StepLog log, Runnable tick)
      throws IOException {
    List<Path> files = WorkspaceFiles.find(workspace, globs);
    if (files.isEmpty()) {
      log.kiln(
          globs.isEmpty()
              ? "stage: no artifacts declared"
              : "stage: no file matches " + String.join(", ", globs));
      return List.of();
    }
    List<ArtifactRecord> staged = new ArrayList<>();
    for (Path relative : files) {
      tick.run();
      Path file = workspace.resolve(relative);
      String path = relative.toString().replace(file.getFileSystem().getSeparator(), "/");
      String sha256 = sha256(file);
      long size = Files.size(file);
      upload(attempt, path, file, sha256, staged.size(), files.size());
      log.kiln("staged " + path + " (" + size + " bytes, sha256 " + sha256 + ")");
      staged.add(new ArtifactRecord(path, size, sha256));
    }
    return staged;
  }

  /**
   * A refusal (a quota, a path the api will not take) ends the stage step with the api's reason and
   * how far staging got, which becomes the run's failure summary.
   */
  private void upload(
      RunAttempt attempt, String path, Path file, String sha256, int done, int all) {
    try {
      api.uploadArtifact(attempt, path, file, sha256);
    } catch (ApiRejectedException e) {
      if (e.isRetryable() || e.isStaleAttempt()) {
        throw e;
      }
      throw new ApiRejectedException(
          "\""
              + path
              + "\" refused: "
              + e.detail()
              + " ("
              + done
              + " of "
              + all
              + " matching files staged)",
          e.status());
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStreamSink.INSTANCE);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Discards bytes: the digest stream already saw them. */
  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
