package dev.kiln.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.support.RunningApi;
import java.net.http.HttpResponse;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

/** The api's connections take less memory, and requests and responses are whole all the same. */
class TomcatConnectionBuffersIT extends RunningApi {

  @Autowired ServletWebServerApplicationContext context;

  private Connector connector() {
    return ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector();
  }

  @Test
  void eachConnectionHasSmallSocketTrailerAndResponseHeaderBuffers() {
    Connector connector = connector();
    AbstractHttp11Protocol<?> http11 = (AbstractHttp11Protocol<?>) connector.getProtocolHandler();

    assertThat(connector.getProperty("socket.appReadBufSize")).hasToString("2048");
    assertThat(connector.getProperty("socket.appWriteBufSize")).hasToString("2048");
    assertThat(http11.getMaxTrailerSize()).isEqualTo(1024);
    assertThat(http11.getMaxHttpResponseHeaderSize()).isEqualTo(4096);
    assertThat(http11.getMaxHttpRequestHeaderSize())
        .as("request headers keep 8 KiB")
        .isEqualTo(8192);
  }

  @Test
  void aRequestWithSevenKibOfHeadersAndALogOfHalfAMebibyteGoThroughWhole() {
    long id = queuedRun("https://example.com/buffers.git");
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 512 * 1024; i++) {
      text.append("line ").append(i).append(" \u001b[32mok\u001b[0m ünïcode\n");
    }
    logs(id, Chunk.of(1, "compile", text.toString()));

    HttpResponse<String> log =
        http.send(
            http.request("/runs/" + id + "/logs")
                .header("X-Large", "x".repeat(7 * 1024))
                .GET()
                .build());

    assertThat(log.statusCode()).isEqualTo(200);
    assertThat(log.body()).isEqualTo(text.toString());
  }
}
