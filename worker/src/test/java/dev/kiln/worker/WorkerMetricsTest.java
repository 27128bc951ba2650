package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.uber.m3.tally.Scope;
import dev.kiln.workflows.TemporalMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void servesTheTemporalSdksMetricsOfItsStubsAndWorkersAtMetrics() throws Exception {
    WorkerMetrics metrics =
        new WorkerMetrics(registry, new WorkerProperties.Metrics(true, 0, "127.0.0.1"));
    Scope scope = TemporalMetrics.scope(registry);
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setMetricsScope(scope).build());
    metrics.start();
    try {
      env.newWorker("metrics-test");
      env.start();
      env.getWorkflowServiceStubs()
          .blockingStub()
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      env.shutdown();
      scope.close(); // flushes what the scope holds into the registry

      HttpResponse<String> scrape = get("http://127.0.0.1:" + metrics.port() + "/metrics");

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .hasValue("text/plain; version=0.0.4; charset=utf-8");
      assertThat(scrape.body())
          .contains("temporal_request_total{")
          .contains("operation=\"GetSystemInfo\"")
          .contains("temporal_worker_task_slots_available{")
          .contains("task_queue=\"metrics-test\"");
    } finally {
      metrics.stop();
      env.close();
    }
    assertThat(metrics.port()).isEqualTo(-1);
  }

  @Test
  void aDisabledEndpointListensNowhere() {
    WorkerMetrics metrics =
        new WorkerMetrics(registry, new WorkerProperties.Metrics(false, 0, "127.0.0.1"));

    metrics.start();

    assertThat(metrics.isRunning()).isFalse();
    assertThat(metrics.port()).isEqualTo(-1);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
