package dev.kiln.api.internal;

import dev.kiln.api.submissions.SubmissionService;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.internal.InternalPaths;
import dev.kiln.workflows.submission.LocalSubmissions;
import java.io.IOException;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

@RestController
class InternalSubmissionsController {

  private final SubmissionService submissions;

  InternalSubmissionsController(SubmissionService submissions) {
    this.submissions = submissions;
  }

  /** The git bundle a local submission uploaded; 404 for another run, 410 after retention. */
  @GetMapping(path = InternalPaths.SUBMISSION)
  ResponseEntity<Resource> download(@PathVariable String id) throws IOException {
    SubmissionService.Download upload = submissions.download(RunIds.parse(id));
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(LocalSubmissions.MEDIA_TYPE))
        .contentLength(upload.size())
        .header("X-Kiln-Sha256", upload.sha256())
        .body(upload.content());
  }
}
