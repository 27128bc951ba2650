package dev.kiln.api.web;

import org.apache.catalina.connector.Connector;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Answers {@code Expect: 100-continue} only when the handler starts reading the body (Tomcat's
 * default answers at once). A client that asks before a large upload ({@code kiln rebuild DIR},
 * curl past 1 MiB) then gets a refusal decided before the body — 413 for a declared length past
 * {@code kiln.submissions.max-bytes}, 401, 403, 429 — without sending a byte of it, instead of a
 * connection reset in the middle of sending.
 */
@Component
class TomcatExpectContinue implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addConnectorCustomizers(TomcatExpectContinue::onRead);
  }

  private static void onRead(Connector connector) {
    if (!connector.setProperty("continueResponseTiming", "onRead")) {
      throw new IllegalStateException("Tomcat does not know continueResponseTiming");
    }
  }
}
