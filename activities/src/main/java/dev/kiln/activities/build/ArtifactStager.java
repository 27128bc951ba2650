package dev.kiln.activities.build;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.activities.ledger.KilnApiClient;
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
      long runId, Path workspace, List<String> globs, StepLog log, Runnable tick)
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
      api.uploadArtifact(runId, path, file, sha256);
      log.kiln("staged " + path + " (" + size + " bytes, sha256 " + sha256 + ")");
      staged.add(new ArtifactRecord(path, size, sha256));
    }
    return staged;
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
