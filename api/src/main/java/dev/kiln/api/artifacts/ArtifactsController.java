package dev.kiln.api.artifacts;

import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.runs.RunAccess;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.api.web.RunIds;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;

@RestController
class ArtifactsController {

  private static final Logger log = LoggerFactory.getLogger(ArtifactsController.class);

  static final String SHA256_HEADER = "X-Kiln-Sha256";

  private final ArtifactService artifacts;
  private final RunAccess access;

  ArtifactsController(ArtifactService artifacts, RunAccess access) {
    this.artifacts = artifacts;
    this.access = access;
  }

  record ArtifactList(List<Item> artifacts) {}

  /**
   * @param url where to download it
   */
  record Item(String path, long size, String sha256, String url) {}

  @GetMapping(ApiPaths.RUN_ARTIFACTS)
  @RequiresScope(Scope.READ)
  ArtifactList list(@PathVariable String id) {
    long runId = RunIds.parse(id);
    access.require(Scope.READ, runId);
    return new ArtifactList(
        artifacts.list(runId).stream()
            .map(
                a ->
                    new Item(
                        a.path(),
                        a.size(),
                        a.sha256(),
                        ApiPaths.runArtifacts(runId) + "/" + encodePath(a.path())))
            .toList());
  }

  /**
   * Sends the file with its sha256 as strong ETag (so {@code If-None-Match} gets a 304) and in
   * {@code X-Kiln-Sha256}. Content-Length and Range requests (206 with Content-Range, 416 for a
   * range past the end) are handled by Spring's resource support, from the store's resource.
   *
   * <p>A build decides what its artifacts contain: an HTML file staged by one repository's build
   * must not run as a page of the api's origin. So every download is an opaque attachment that no
   * browser sniffs into something else, whatever it holds.
   */
  @GetMapping(ApiPaths.RUN_ARTIFACT)
  @RequiresScope(Scope.READ)
  ResponseEntity<Resource> download(@PathVariable String id, @PathVariable String path)
      throws IOException {
    long runId = RunIds.parse(id);
    access.require(Scope.READ, runId);
    // {*path} captures the leading slash
    String relative = path.startsWith("/") ? path.substring(1) : path;
    ArtifactService.Download download = artifacts.download(runId, relative);
    StoredArtifact artifact = download.artifact();
    String name = artifact.path().substring(artifact.path().lastIndexOf('/') + 1);
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_OCTET_STREAM)
        .eTag("\"" + artifact.sha256() + "\"")
        .header(SHA256_HEADER, artifact.sha256())
        .header("X-Content-Type-Options", "nosniff")
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment()
                .filename(name, StandardCharsets.UTF_8)
                .build()
                .toString())
        .body(download.content());
  }

  /**
   * A whole download whose bytes, read from the store, are not those recorded. Before anything was
   * sent, a 502 says so; after, rethrowing makes the server drop the connection, so the client sees
   * a broken transfer (its Content-Length unmet) instead of a complete, altered file.
   */
  @ExceptionHandler(S3ObjectResource.ArtifactIntegrityException.class)
  ResponseEntity<ProblemDetail> integrityFailure(
      S3ObjectResource.ArtifactIntegrityException e, HttpServletResponse response)
      throws S3ObjectResource.ArtifactIntegrityException {
    log.error("refused to serve an artifact: {}", e.getMessage());
    if (response.isCommitted()) {
      throw e;
    }
    response.reset();
    return ResponseEntity.status(HttpStatus.BAD_GATEWAY)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(
            ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_GATEWAY,
                "the artifact store returned other bytes than were recorded; it is not served"));
  }

  private static String encodePath(String path) {
    return UriUtils.encodePath(path, StandardCharsets.UTF_8);
  }
}
