package dev.kiln.api.internal;

import dev.kiln.api.artifacts.ArtifactService;
import dev.kiln.api.artifacts.StoredArtifact;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.ArtifactAnswer;
import dev.kiln.workflows.internal.InternalPaths;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class InternalArtifactsController {

  private final ArtifactService artifacts;

  InternalArtifactsController(ArtifactService artifacts) {
    this.artifacts = artifacts;
  }

  /** The body is streamed to disk, never held in memory. */
  @PutMapping(path = InternalPaths.ARTIFACTS, consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  ArtifactAnswer upload(
      @PathVariable String id,
      @RequestParam String path,
      @RequestHeader(name = "X-Kiln-Sha256", required = false) String sha256,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      HttpServletRequest request)
      throws IOException {
    StoredArtifact stored =
        artifacts.upload(
            RunIds.parse(id),
            attempt,
            path,
            sha256,
            request.getContentLengthLong(),
            request.getInputStream());
    return new ArtifactAnswer(stored.path(), stored.size(), stored.sha256());
  }
}
