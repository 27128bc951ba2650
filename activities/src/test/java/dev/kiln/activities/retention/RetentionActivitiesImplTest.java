package dev.kiln.activities.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.activities.api.KilnApiClient;
import dev.kiln.workflows.retention.RetentionResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The activity against an HTTP server on loopback that answers as the api's endpoint does. */
class RetentionActivitiesImplTest {

  HttpServer api;
  final List<String> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger batches = new AtomicInteger();

  @BeforeEach
  void startApi() throws IOException {
    api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext(
        "/internal/retention",
        exchange -> {
          requests.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization"));
          int batch = batches.incrementAndGet();
          String body =
              "{\"runs\": %d, \"log_chunks\": %d, \"artifacts\": %d, \"more\": %b}"
                  .formatted(batch < 3 ? 2 : 1, 10L * batch, batch, batch < 3);
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    api.start();
  }

  @AfterEach
  void stopApi() {
    api.stop(0);
  }

  @Test
  void asksTheApiBatchAfterBatchUntilNothingMoreIsDueAndAddsUpWhatWasRemoved() {
    URI url = URI.create("http://127.0.0.1:" + api.getAddress().getPort());
    List<RetentionResult> heartbeats = new ArrayList<>();

    RetentionResult total =
        new RetentionActivitiesImpl(new KilnApiClient(url, "worker-token"))
            .removeDue(heartbeats::add);

    assertThat(total).isEqualTo(new RetentionResult(5, 60, 6));
    assertThat(requests)
        .containsExactly(
            "POST Bearer worker-token", "POST Bearer worker-token", "POST Bearer worker-token");
    assertThat(heartbeats).hasSize(3).last().isEqualTo(total);
  }
}
