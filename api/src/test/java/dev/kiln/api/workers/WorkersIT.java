package dev.kiln.api.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.NewRun;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.RunningApi;
import dev.kiln.workflows.RunPriority;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /workers}, the drain endpoints and label routing's api side, over HTTP against the
 * real database: what hosts report comes back in the list, a drain reaches the reporting process in
 * the answer to its report, and a host is told which label queues runs wait on.
 */
class WorkersIT extends RunningApi {

  @DynamicPropertySource
  static void archs(DynamicPropertyRegistry registry) {
    registry.add("kiln.archs", () -> "x86_64,riscv64");
  }

  @Test
  void aReportedHostIsListedWithItsLabelsSlotsVersionAndRuns() {
    report("w-list", "p1", "[\"big-memory\", \"jdk21\"]", false);

    JsonNode host = host(Http.json(http.get("/workers")), "w-list");

    assertThat(host.path("labels").toString()).isEqualTo("[\"big-memory\",\"jdk21\"]");
    assertThat(host.path("archs").toString()).isEqualTo("[\"riscv64\"]");
    assertThat(host.path("slots").asInt()).isEqualTo(2);
    assertThat(host.path("busy_slots").asInt()).isEqualTo(1);
    assertThat(host.path("version").asString()).isEqualTo("9.9.9");
    assertThat(host.path("state").asString()).isEqualTo("live");
    assertThat(host.path("draining").asBoolean()).isFalse();
  }

  @Test
  void aDrainReachesTheReportingProcessAndCanBeWithdrawnButNotAProcessStartedLater() {
    assertThat(Http.json(report("w-drain", "p1", "[]", false)).path("drain").asBoolean()).isFalse();

    HttpResponse<String> asked =
        http.send(
            http.request("/workers/w-drain/drain")
                .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(asked.statusCode()).as(asked.body()).isEqualTo(200);
    assertThat(Http.json(asked).path("draining").asBoolean()).isTrue();
    assertThat(Http.json(report("w-drain", "p1", "[]", false)).path("drain").asBoolean()).isTrue();

    HttpResponse<String> withdrawn =
        http.send(http.request("/workers/w-drain/drain").DELETE().build());
    assertThat(withdrawn.statusCode()).isEqualTo(200);
    assertThat(Http.json(report("w-drain", "p1", "[]", false)).path("drain").asBoolean()).isFalse();

    http.send(
        http.request("/workers/w-drain/drain")
            .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())
            .build());
    assertThat(Http.json(report("w-drain", "p2", "[]", false)).path("drain").asBoolean())
        .as("a worker restarted on the host is another process")
        .isFalse();
  }

  @Test
  void drainingAnUnknownHostIsA404Problem() {
    HttpResponse<String> answer =
        http.send(
            http.request("/workers/never-seen/drain")
                .PUT(java.net.http.HttpRequest.BodyPublishers.noBody())
                .build());

    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }

  @Test
  void aHostIsToldTheLabelQueuesItCanServeAndTheArchIsServedOnlyWithTheLabels() {
    long wanted = labelledRun(List.of("jdk21", "gpu"));
    labelledRun(List.of("jdk21", "fpga"));

    JsonNode answer = Http.json(report("w-gpu", "p1", "[\"gpu\", \"jdk21\", \"cmake\"]", false));

    assertThat(answer.path("wanted").toString())
        .as("run %d; not the fpga run", wanted)
        .isEqualTo("[{\"arch\":\"riscv64\",\"labels\":[\"jdk21\",\"gpu\"]}]");
    assertThat(served("jdk21,gpu")).isTrue();
    assertThat(served("jdk21,fpga")).isFalse();
    report("w-gpu", "p1", "[\"gpu\", \"jdk21\", \"cmake\"]", true);
    assertThat(served("jdk21,gpu")).as("a draining host serves nothing").isFalse();
  }

  private boolean served(String labels) {
    HttpResponse<String> answer =
        http.send(
            http.request("/internal/archs/riscv64/served?labels=" + labels)
                .header("Authorization", AUTH)
                .GET()
                .build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return Http.json(answer).path("served").asBoolean();
  }

  private long labelledRun(List<String> requires) {
    String repo = "https://example.com/labelled.git";
    return runs.insert(
            new NewRun(
                    repo,
                    "main",
                    "riscv64",
                    repo + "#main@riscv64/" + System.nanoTime(),
                    null,
                    RunPriority.NORMAL,
                    false,
                    null,
                    List.of(),
                    null)
                .withRequires(requires))
        .orElseThrow();
  }

  private HttpResponse<String> report(
      String host, String process, String labels, boolean draining) {
    HttpResponse<String> answer =
        http.postJson(
            "/internal/hosts/" + host,
            "{\"archs\": [\"riscv64\"], \"slots\": 2, \"busy\": 1, \"cpu\": 0.5, \"memory\": 0.2,"
                + " \"runs\": [], \"labels\": "
                + labels
                + ", \"version\": \"9.9.9\", \"draining\": "
                + draining
                + ", \"process\": \""
                + process
                + "\"}",
            "Authorization",
            AUTH);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return answer;
  }

  private static JsonNode host(JsonNode page, String name) {
    for (JsonNode host : page.path("workers")) {
      if (name.equals(host.path("host").asString())) {
        return host;
      }
    }
    throw new AssertionError("no " + name + " in " + page);
  }
}
