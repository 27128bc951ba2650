package dev.kiln.api.web;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Sizes Tomcat's per-connection buffers for an api that holds many long-lived connections: every
 * log follower (SSE) keeps its connection, and with it Tomcat's buffers, for as long as the build
 * runs. At Tomcat's defaults those are about 88 KiB a connection, 86 MiB for 1000 followers
 * (bench/sse-followers.sh). These settings, with the smaller response header limit, take off about
 * 29 KiB of it.
 *
 * <ul>
 *   <li>Socket read and write buffers of 2 KiB instead of 8: a large upload or download only takes
 *       more system calls; Tomcat reads into and writes from its request and response buffers
 *       directly when they are larger.
 *   <li>A 1 KiB trailer buffer instead of 8: allocated for every connection although clients
 *       practically never send trailers; larger trailers get a 400.
 * </ul>
 *
 * The response header limit (4 KiB) is {@code server.tomcat.max-http-response-header-size} in
 * application.yml; request headers keep their 8 KiB.
 */
@Component
class TomcatConnectionBuffers implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  static final int SOCKET_BUFFER = 2048;
  static final int MAX_TRAILER_SIZE = 1024;

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addConnectorCustomizers(TomcatConnectionBuffers::size);
  }

  private static void size(Connector connector) {
    set(connector, "socket.appReadBufSize", SOCKET_BUFFER);
    set(connector, "socket.appWriteBufSize", SOCKET_BUFFER);
    if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http11) {
      http11.setMaxTrailerSize(MAX_TRAILER_SIZE);
    }
  }

  private static void set(Connector connector, String property, int value) {
    if (!connector.setProperty(property, Integer.toString(value))) {
      // a renamed property would otherwise be ignored silently
      throw new IllegalStateException("Tomcat does not know the connector property " + property);
    }
  }
}
