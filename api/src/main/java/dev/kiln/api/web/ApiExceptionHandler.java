package dev.kiln.api.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place that turns exceptions into {@code application/problem+json} (RFC 9457). Client
 * errors are logged at WARN without a stack trace (they are not our fault, and a noisy client must
 * not flood the log); server faults at ERROR with one. No response ever carries a stack trace.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    BodyTooLargeException tooLarge = JsonErrors.find(ex, BodyTooLargeException.class);
    if (tooLarge != null) {
      HttpStatus contentTooLarge = HttpStatus.CONTENT_TOO_LARGE;
      return handleExceptionInternal(
          ex,
          ProblemDetail.forStatusAndDetail(contentTooLarge, tooLarge.detail()),
          headers,
          contentTooLarge,
          request);
    }
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status, JsonErrors.detail(ex));
    return handleExceptionInternal(ex, body, headers, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String name =
        ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : ex.getPropertyName();
    String expected =
        ex.getRequiredType() == null ? "another type" : describe(ex.getRequiredType());
    String detail = name + ": \"" + ex.getValue() + "\" is not " + expected;
    return handleExceptionInternal(
        ex, ProblemDetail.forStatusAndDetail(status, detail), headers, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleMissingServletRequestParameter(
      MissingServletRequestParameterException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String detail = "query parameter \"" + ex.getParameterName() + "\" is required";
    return handleExceptionInternal(
        ex, ProblemDetail.forStatusAndDetail(status, detail), headers, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleNoResourceFoundException(
      NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String detail = "no such resource: " + ex.getHttpMethod() + " /" + ex.getResourcePath();
    return handleExceptionInternal(
        ex, ProblemDetail.forStatusAndDetail(status, detail), headers, status, request);
  }

  /**
   * The database is down, restarting or overloaded: the client may retry, so this is 503 with
   * {@code Retry-After}, not 500. Logged without a stack trace: during an outage every request ends
   * here, and the cause is one line.
   */
  @ExceptionHandler({
    CannotGetJdbcConnectionException.class,
    CannotCreateTransactionException.class,
    DataAccessResourceFailureException.class,
    TransientDataAccessException.class
  })
  ResponseEntity<Object> handleDatabaseUnavailable(Exception ex, WebRequest request) {
    HttpStatus status = HttpStatus.SERVICE_UNAVAILABLE;
    log.warn(
        "{} -> {} {} ({})",
        LogSafe.escape(describe(request)),
        status.value(),
        DatabaseUnavailable.DETAIL,
        LogSafe.escape(rootCause(ex).toString()));
    ProblemDetail body = ProblemDetail.forStatusAndDetail(status, DatabaseUnavailable.DETAIL);
    return super.handleExceptionInternal(ex, body, DatabaseUnavailable.headers(), status, request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> handleUnexpected(Exception ex, WebRequest request) {
    if (DatabaseUnavailable.isCause(ex)) {
      // wrapped by whatever stood between the query and the controller
      return handleDatabaseUnavailable(ex, request);
    }
    HttpStatus status = HttpStatus.INTERNAL_SERVER_ERROR;
    ProblemDetail body =
        ProblemDetail.forStatusAndDetail(status, "internal error; the api log has the details");
    return handleExceptionInternal(ex, body, new HttpHeaders(), status, request);
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String where = describe(request);
    String detail;
    if (body instanceof ProblemDetail problem) {
      detail = problem.getDetail();
    } else if (ex instanceof ErrorResponse errorResponse) {
      detail = errorResponse.getBody().getDetail();
    } else {
      detail = ex.getMessage();
    }
    // both may carry what the client sent (a path, a field's value)
    where = LogSafe.escape(where);
    detail = LogSafe.escape(detail);
    if (status.is5xxServerError()) {
      log.error("{} -> {} {}", where, status.value(), detail, ex);
    } else {
      log.warn("{} -> {} {}", where, status.value(), detail);
    }
    return super.handleExceptionInternal(ex, body, headers, status, request);
  }

  private static String describe(WebRequest request) {
    if (request instanceof NativeWebRequest nativeRequest
        && nativeRequest.getNativeRequest() instanceof HttpServletRequest http) {
      return http.getMethod() + " " + http.getRequestURI();
    }
    return request.getDescription(false);
  }

  private static String describe(Class<?> type) {
    if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
      return "an integer";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type.isEnum()) {
      return "a valid " + type.getSimpleName().toLowerCase(Locale.ROOT);
    }
    return "a valid " + type.getSimpleName();
  }
}
