package dev.kiln.api.temporal;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ApiPaths;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Absolute links to this api, for texts the api writes outside a request's answer (a workflow's
 * details in the Temporal Web UI). They come from {@code kiln.public-url}, never from a request's
 * {@code Host}, which the client chooses: a link planted there would show in everyone's Web UI.
 */
@Component
public class PublicUrl implements ApplicationListener<WebServerInitializedEvent> {

  private static final Logger log = LoggerFactory.getLogger(PublicUrl.class);

  private final String configured;
  private volatile String base;

  public PublicUrl(KilnProperties properties) {
    URI url = properties.publicUrl();
    this.configured = url == null ? null : withoutTrailingSlash(url.toString());
    this.base = configured == null ? "http://localhost:8080" : configured;
  }

  @Override
  public void onApplicationEvent(WebServerInitializedEvent event) {
    if (configured == null) {
      base = "http://localhost:" + event.getWebServer().getPort();
      log.info("kiln.public-url is not set: links in Temporal's Web UI point to {}", base);
    }
  }

  /** The run view's absolute URL. */
  public String run(long runId) {
    return base + ApiPaths.run(runId);
  }

  private static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
