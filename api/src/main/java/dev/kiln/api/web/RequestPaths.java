package dev.kiln.api.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.util.UrlPathHelper;

/** The request path as the api's own mappings see it. */
public final class RequestPaths {

  private RequestPaths() {}

  /** The path without the context path, decoded and without {@code ;} parameters. */
  public static String of(HttpServletRequest request) {
    return UrlPathHelper.defaultInstance.getPathWithinApplication(request);
  }
}
