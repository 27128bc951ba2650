package dev.kiln.api.web;

import dev.kiln.api.auth.AnyCaller;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Renders errors that never reached Spring MVC's exception handler (a filter failed, the container
 * refused the request) as problem+json too, instead of Boot's default error body.
 */
@RestController
@AnyCaller
class ProblemErrorController implements ErrorController {

  private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

  @RequestMapping("${server.error.path:/error}")
  ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
    HttpStatus status = status(request);
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    Throwable cause = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
    String detail;
    if (status.is5xxServerError()) {
      detail = "internal error; the api log has the details";
      log.error("{} -> {}", LogSafe.escape(String.valueOf(uri)), status.value(), cause);
    } else {
      detail = status.getReasonPhrase().toLowerCase(Locale.ROOT);
      log.warn("{} -> {}", LogSafe.escape(String.valueOf(uri)), status.value());
    }
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
    if (uri != null) {
      try {
        body.setInstance(URI.create(uri.toString()));
      } catch (IllegalArgumentException notAUri) {
        // the container refused this request because its URI is malformed; leave instance out
      }
    }
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
  }

  private static HttpStatus status(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    if (code instanceof Integer i) {
      HttpStatus resolved = HttpStatus.resolve(i);
      if (resolved != null) {
        return resolved;
      }
    }
    return HttpStatus.INTERNAL_SERVER_ERROR;
  }
}
