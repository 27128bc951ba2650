package dev.kiln.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The worker's metrics registry and, when {@code kiln.metrics.enabled}, the small HTTP server that
 * serves it at {@code GET /metrics} in Prometheus' text format. The JDK's server is enough for one
 * scraper every few seconds; a worker needs no web framework for it.
 */
public class WorkerMetrics implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(WorkerMetrics.class);
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final WorkerProperties.Metrics settings;
  private HttpServer server;

  public WorkerMetrics(PrometheusMeterRegistry registry, WorkerProperties.Metrics settings) {
    this.registry = registry;
    this.settings = settings;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The port the server listens on, or -1 when it is not running. */
  public synchronized int port() {
    return server == null ? -1 : server.getAddress().getPort();
  }

  @Override
  public synchronized void start() {
    if (!settings.enabled() || server != null) {
      return;
    }
    try {
      server = HttpServer.create(new InetSocketAddress(settings.address(), settings.port()), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve metrics on " + settings.address() + ":" + settings.port(), e);
    }
    server.createContext("/metrics", this::scrape);
    server.start();
    log.info("metrics at http://{}:{}/metrics", settings.address(), port());
  }

  @Override
  public synchronized void stop() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return server != null;
  }

  private void scrape(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
