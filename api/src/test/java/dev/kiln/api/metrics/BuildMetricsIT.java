package dev.kiln.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.KilnApp;
import dev.kiln.api.support.TestProperties;
import dev.kiln.api.support.TestTemporal;
import dev.kiln.workflows.RunPriority;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Kiln's build metrics on a real {@code /actuator/prometheus} scrape, after the ledger was driven
 * through {@code /internal} the way a worker drives it (a passed and a failed run on two archs, a
 * host report, log chunks) and a run was cancelled through the public api, whose Temporal client
 * talks to Temporal's test server. Also: every query of the Grafana dashboard in docs/ names a
 * metric that scrape carries.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class BuildMetricsIT {

  private static final String AUTH = "Bearer " + TestProperties.TOKEN;
  private static final String SHA = "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana-kiln.json");
  private static final Pattern METRIC = Pattern.compile("\\b(?:kiln|temporal)_[a-z_]+\\b");

  private static TestTemporal temporal;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    temporal = TestTemporal.start();
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    registry.add("kiln.temporal.address", temporal::address);
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @LocalServerPort int port;
  @Autowired RunRepository runs;

  @Test
  void aPassedAFailedAndACancelledRunShowUpWithTheirLabels() {
    Http http = new Http(port);
    String before = scrape(http);
    long passed = build(http, "x86_64", "passed", "hello\n");
    long failed = build(http, "aarch64", "failed", "world!\n");
    building(http, "x86_64");
    report(http, "metrics-host", 3, 1);
    long cancelled = queued("x86_64", "cancelled");
    HttpResponse<String> cancel =
        http.send(
            http.request("/build-jobs/" + cancelled + "/cancel")
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
    assertThat(passed).isNotEqualTo(failed);

    String scrape = scrape(http);

    assertThat(series(scrape, "kiln_runs_total"))
        .contains(
            "kiln_runs_total{arch=\"x86_64\",result=\"passed\"} 1.0",
            "kiln_runs_total{arch=\"aarch64\",result=\"failed\"} 1.0",
            "kiln_runs_total{arch=\"x86_64\",result=\"cancelled\"} 1.0");
    assertThat(series(scrape, "kiln_run_duration_seconds_count"))
        .contains(
            "kiln_run_duration_seconds_count{arch=\"x86_64\",result=\"passed\"} 1",
            "kiln_run_duration_seconds_count{arch=\"aarch64\",result=\"failed\"} 1");
    assertThat(scrape)
        .contains("kiln_run_duration_seconds_bucket{arch=\"x86_64\",result=\"passed\",le=");
    for (String phase : List.of("queued", "fetching", "compiling", "gating")) {
      assertThat(series(scrape, "kiln_phase_duration_seconds_count"))
          .as(phase)
          .anyMatch(line -> line.contains("phase=\"" + phase + "\""));
    }
    assertThat(series(scrape, "kiln_queue_wait_seconds_count"))
        .contains(
            "kiln_queue_wait_seconds_count{arch=\"x86_64\"} 2",
            "kiln_queue_wait_seconds_count{arch=\"aarch64\"} 1");
    assertThat(series(scrape, "kiln_runs_building"))
        .contains(
            "kiln_runs_building{arch=\"x86_64\"} 1.0", "kiln_runs_building{arch=\"aarch64\"} 0.0");
    assertThat(series(scrape, "kiln_worker_slots"))
        .contains(
            "kiln_worker_slots{host=\"metrics-host\",state=\"busy\"} 1.0",
            "kiln_worker_slots{host=\"metrics-host\",state=\"free\"} 2.0");
    assertThat(value(scrape, "kiln_log_bytes_total") - value(before, "kiln_log_bytes_total"))
        .isEqualTo(6 + 7);
    assertThat(
            value(scrape, "kiln_cancel_latency_seconds_count")
                - value(before, "kiln_cancel_latency_seconds_count"))
        .isEqualTo(1);
  }

  /**
   * Each request is observed as a whole; the security filters and authorization decisions are not
   * observed one by one (they cost a tenth of a run view's CPU, and no dashboard reads them).
   */
  @Test
  void requestsAreObservedAsAWholeNotFilterByFilter() {
    Http http = new Http(port);
    build(http, "x86_64", "passed", "observed\n");

    String scrape = scrape(http);

    assertThat(scrape).contains("http_server_requests_seconds_count{");
    assertThat(scrape).doesNotContain("spring_security_");
  }

  @Test
  void everyQueryOfTheGrafanaDashboardNamesAMetricTheApiExports() throws Exception {
    Http http = new Http(port);
    // another arch than the other test's, whose counts stay its own
    build(http, "riscv64", "passed", "log\n");
    report(http, "dashboard-host", 2, 0);
    long cancelled = queued("riscv64", "dashboard");
    http.send(
        http.request("/build-jobs/" + cancelled + "/cancel")
            .PUT(HttpRequest.BodyPublishers.noBody())
            .build());
    List<String> queries = queries(new ObjectMapper().readTree(DASHBOARD.toFile()));
    Set<String> names = new LinkedHashSet<>();
    for (String query : queries) {
      Matcher metric = METRIC.matcher(query);
      assertThat(metric.find()).as("query names a Kiln or Temporal metric: " + query).isTrue();
      do {
        names.add(metric.group());
      } while (metric.find());
    }
    assertThat(queries).hasSizeGreaterThanOrEqualTo(8);

    // the Temporal SDK flushes its metrics into the registry every few seconds
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              String scrape = scrape(http);
              assertThat(names).allSatisfy(name -> assertThat(series(scrape, name)).isNotEmpty());
            });
  }

  /** A run from queued through every phase to {@code result}, with one log chunk. */
  private long build(Http http, String arch, String result, String log) {
    long id = queued(arch, result);
    String run = "/internal/runs/" + id;
    post(http, run + "/phase", "{\"phase\": \"fetching\"}");
    post(
        http,
        run + "/resolved",
        "{\"sha\": \"" + SHA + "\", \"gates\": [{\"name\": \"unit\", \"required\": true}]}");
    post(http, run + "/phase", "{\"phase\": \"compiling\"}");
    String chunk = Base64.getEncoder().encodeToString(log.getBytes(StandardCharsets.UTF_8));
    post(
        http,
        run + "/logs",
        "{\"chunks\": [{\"seq\": 1, \"step\": \"compile\", \"offset\": 0,"
            + " \"ts\": \"2026-01-01T00:00:00Z\", \"data\": \""
            + chunk
            + "\"}]}");
    post(http, run + "/phase", "{\"phase\": \"gating\"}");
    post(http, run + "/phase", "{\"phase\": \"done\"}");
    post(
        http,
        run + "/finish",
        "{\"result\": \""
            + result
            + "\", \"failure_summary\": "
            + (result.equals("failed") ? "\"gate unit failed\"" : "null")
            + "}");
    return id;
  }

  /** A run a build host has started and not finished. */
  private void building(Http http, String arch) {
    long id = queued(arch, "building");
    post(http, "/internal/runs/" + id + "/phase", "{\"phase\": \"fetching\"}");
  }

  private void report(Http http, String host, int slots, int busy) {
    post(
        http,
        "/internal/hosts/" + host,
        ("{\"archs\": [\"x86_64\"], \"slots\": %d, \"busy\": %d, \"cpu\": 0.1,"
                + " \"memory\": 0.1}")
            .formatted(slots, busy));
  }

  /** Not a lane's run, so a cancel goes to the run's own (absent) workflow. */
  private long queued(String arch, String name) {
    String repo = "https://example.com/" + name + "-" + System.nanoTime() + ".git";
    return runs.insert(
            new NewRun(
                repo,
                "main",
                arch,
                repo + "#main@" + arch,
                null,
                RunPriority.NORMAL,
                false,
                null,
                List.of(),
                null))
        .orElseThrow();
  }

  private static void post(Http http, String path, String json) {
    HttpResponse<String> answer = http.postJson(path, json, "Authorization", AUTH);
    assertThat(answer.statusCode()).as(path + ": " + answer.body()).isBetween(200, 204);
  }

  private static String scrape(Http http) {
    HttpResponse<String> answer = http.get("/actuator/prometheus");
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return answer.body();
  }

  /** The value of an unlabelled series, 0 when the scrape does not have it yet. */
  private static double value(String scrape, String name) {
    List<String> lines = series(scrape, name);
    return lines.isEmpty() ? 0 : Double.parseDouble(lines.get(0).substring(name.length() + 1));
  }

  /** The scrape's sample lines of {@code name} (exactly that name, any labels). */
  private static List<String> series(String scrape, String name) {
    List<String> lines = new ArrayList<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** Every {@code expr} of every panel's targets, rows' nested panels included. */
  private static List<String> queries(JsonNode dashboard) {
    List<String> queries = new ArrayList<>();
    List<JsonNode> panels = new ArrayList<>();
    dashboard.path("panels").forEach(panels::add);
    for (int i = 0; i < panels.size(); i++) {
      panels.get(i).path("panels").forEach(panels::add);
      panels.get(i).path("targets").forEach(target -> queries.add(target.path("expr").asText()));
    }
    return queries;
  }
}
