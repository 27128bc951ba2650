package dev.kiln.api.submissions;

import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.rebuild.RebuildAccepted;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.workflows.submission.LocalSubmissions;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SubmissionsController {

  private final SubmissionService service;

  SubmissionsController(SubmissionService service) {
    this.service = service;
  }

  /**
   * 202 for the new run, with the answer of {@code POST /rebuild}. The body, a git bundle of one
   * snapshot commit, is streamed to disk, never held in memory.
   */
  @PostMapping(
      path = ApiPaths.SUBMISSIONS,
      consumes = {LocalSubmissions.MEDIA_TYPE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
  @RequiresScope(Scope.TRIGGER)
  ResponseEntity<RebuildAccepted> submit(
      @RequestParam(required = false) String name,
      @RequestParam(required = false) String arch,
      @RequestParam(required = false) String priority,
      HttpServletRequest request)
      throws IOException {
    RebuildAccepted accepted =
        service
            .submit(name, arch, priority, request.getContentLengthLong(), request.getInputStream())
            .accepted();
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create(accepted.statusUrl()))
        .body(accepted);
  }
}
