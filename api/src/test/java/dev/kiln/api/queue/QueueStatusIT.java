package dev.kiln.api.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.RunningApi;
import dev.kiln.workflows.RunPriority;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /build-jobs/queue/status}, the hosts' reports and the run view's waiting reason, over
 * HTTP. Each test uses an architecture of its own, so the shared database's other runs do not
 * count. Temporal is unreachable here, which the status must say rather than guess.
 */
class QueueStatusIT extends RunningApi {

  @DynamicPropertySource
  static void archs(DynamicPropertyRegistry registry) {
    registry.add("kiln.archs", () -> "x86_64,s390x,ppc64le,mips64,riscv64,loongarch64");
  }

  @Autowired JdbcClient jdbc;
  @Autowired RepoStore repos;

  @Test
  void countsQueuedAndBuildingRunsTheOldestWaitAndTheFreeSlotsOfFreshHosts() {
    long oldest = run("s390x", RunPriority.NORMAL);
    long building = run("s390x", RunPriority.NORMAL);
    run("s390x", RunPriority.HIGH);
    phase(building, "compiling");
    jdbc.sql("UPDATE runs SET queued_at = now() - interval '90 seconds' WHERE id = :id")
        .param("id", oldest)
        .update();
    host("s390-a", "[\"s390x\"]", 3, 1, false);
    host("s390-b", "[\"s390x\", \"x86_64\"]", 2, 0, false);
    host("s390-paused", "[\"s390x\"]", 4, 0, true);
    host("s390-gone", "[\"s390x\"]", 8, 0, false);
    jdbc.sql("UPDATE build_hosts SET last_seen = now() - interval '1 minute' WHERE name = :n")
        .param("n", "s390-gone")
        .update();

    JsonNode s390x = arch(status(), "s390x");

    assertThat(s390x.path("queued").asInt()).isEqualTo(2);
    assertThat(s390x.path("building").asInt()).isEqualTo(1);
    assertThat(s390x.path("free_slots").asInt())
        .as("2 + 2; paused and gone hosts none")
        .isEqualTo(4);
    assertThat(s390x.path("hosts").asInt()).isEqualTo(3);
    assertThat(s390x.path("hosts_paused_for_resources").asInt()).isEqualTo(1);
    assertThat(s390x.path("oldest_queued_run_id").asLong()).isEqualTo(oldest);
    assertThat(s390x.path("oldest_queued_wait_s").asLong()).isBetween(90L, 150L);
    assertThat(s390x.path("workers_polling").isNull()).isTrue();
    assertThat(s390x.path("workers_polling_unknown").asString())
        .isEqualTo("Temporal did not say who polls kiln-build-s390x (unreachable or slow)");
  }

  @Test
  void anArchWithNothingQueuedHasNoOldestWait() {
    JsonNode mips = arch(status(), "mips64");

    assertThat(mips.path("queued").asInt()).isZero();
    assertThat(mips.path("building").asInt()).isZero();
    assertThat(mips.path("free_slots").asInt()).isZero();
    assertThat(mips.path("oldest_queued_wait_s").isNull()).isTrue();
    assertThat(mips.path("oldest_queued_run_id").isNull()).isTrue();
  }

  @Test
  void aQueuedRunCountsTheRunsTemporalServesBeforeItAndAStartedRunHasNoReason() {
    long firstNormal = run("ppc64le", RunPriority.NORMAL);
    long secondNormal = run("ppc64le", RunPriority.NORMAL);
    long urgent = run("ppc64le", RunPriority.URGENT);
    long low = run("ppc64le", RunPriority.LOW);
    long started = run("ppc64le", RunPriority.URGENT);
    phase(started, "fetching");

    assertThat(reason(urgent)).isEqualTo("waiting for a free slot on ppc64le: 0 builds ahead");
    assertThat(reason(firstNormal)).isEqualTo("waiting for a free slot on ppc64le: 1 build ahead");
    assertThat(reason(secondNormal))
        .isEqualTo("waiting for a free slot on ppc64le: 2 builds ahead");
    assertThat(reason(low)).isEqualTo("waiting for a free slot on ppc64le: 3 builds ahead");
    assertThat(view(started).path("waiting_reason").isNull()).isTrue();
  }

  @Test
  void anotherRepositorysRunQueuedBehindThreeOfOneRepositoryIsSecondInLineAndTheQueueSaysSo() {
    List<Long> many = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      many.add(run("riscv64", "https://example.com/fair-many.git", RunPriority.NORMAL));
    }
    long single = run("riscv64", "https://example.com/fair-single.git", RunPriority.NORMAL);

    assertThat(view(single).path("queue_position").asInt()).isEqualTo(2);
    assertThat(reason(single)).isEqualTo("waiting for a free slot on riscv64: 1 build ahead");
    assertThat(view(many.get(2)).path("queue_position").asInt()).isEqualTo(4);
    JsonNode waiting = arch(status(), "riscv64").path("waiting");
    assertThat(
            StreamSupport.stream(waiting.spliterator(), false).map(w -> w.path("run_id").asLong()))
        .containsExactly(many.get(0), single, many.get(1), many.get(2));
    assertThat(waiting.get(1).path("position").asInt()).isEqualTo(2);
    assertThat(waiting.get(1).path("repo").asString())
        .isEqualTo("https://example.com/fair-single.git");
  }

  @Test
  void aRegisteredRepositoryWithFourTimesTheWeightGetsFourTimesTheShareOfTheQueue() {
    repos.insert(
        new RepoStore.Settings(
            "https://example.com/fair-heavy.git",
            List.of("**"),
            List.of("loongarch64"),
            RunPriority.NORMAL,
            null,
            List.of(),
            List.of(),
            4),
        "secret",
        "test");
    List<Long> light = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      light.add(run("loongarch64", "https://example.com/fair-light.git", RunPriority.NORMAL));
    }
    List<Long> heavy = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      heavy.add(run("loongarch64", "https://example.com/fair-heavy", RunPriority.NORMAL));
    }

    JsonNode waiting = arch(status(), "loongarch64").path("waiting");

    // passes: light 1000, 2000; heavy 250, 500, 750, 1000, 1250
    assertThat(
            StreamSupport.stream(waiting.spliterator(), false).map(w -> w.path("run_id").asLong()))
        .containsExactly(
            heavy.get(0),
            heavy.get(1),
            heavy.get(2),
            light.get(0),
            heavy.get(3),
            heavy.get(4),
            light.get(1));
  }

  @Test
  void theRunPageShowsTheWaitingReason() {
    long queued = run("sparc64", RunPriority.NORMAL);

    HttpResponse<String> page =
        http.send(http.request("/runs/" + queued).header("Accept", "text/html").GET().build());

    assertThat(page.body()).contains("waiting for a free slot on sparc64: 0 builds ahead");
  }

  @Test
  void theOpenApiDocumentListsTheQueueStatusAndTheWaitingReason() {
    HttpResponse<String> docs = http.get("/v3/api-docs");

    assertThat(docs.statusCode()).isEqualTo(200);
    JsonNode openapi = Http.json(docs);
    assertThat(openapi.path("paths").has("/build-jobs/queue/status")).isTrue();
    assertThat(openapi.path("paths").has("/internal/hosts/{host}")).isFalse();
    assertThat(
            openapi
                .path("components")
                .path("schemas")
                .path("RunView")
                .path("properties")
                .has("waiting_reason"))
        .isTrue();
  }

  @Test
  void aHostReportIsAnsweredWithTheReportedRunsThatHaveEnded() {
    long building = queuedRun("https://example.com/held-building.git");
    long finished = queuedRun("https://example.com/held-finished.git");
    long cancelled = queuedRun("https://example.com/held-cancelled.git");
    finish(finished, "passed", null);
    finish(cancelled, "cancelled", "cancelled");
    endedSecondsAgo(finished, 3);
    endedSecondsAgo(cancelled, 3);
    long unknown = cancelled + 1_000_000;

    HttpResponse<String> answer =
        worker(
            "/internal/hosts/janitor-host",
            ("{\"archs\": [\"x86_64\"], \"slots\": 2, \"busy\": 2, \"cpu\": 0.5,"
                    + " \"memory\": 0.4, \"runs\": [%d, %d, %d, %d]}")
                .formatted(building, finished, cancelled, unknown));

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(Http.json(answer).path("ended").toString())
        .as("a run the ledger does not know is over too; one still building is not")
        .isEqualTo("[%d,%d,%d]".formatted(finished, cancelled, unknown));
  }

  @Test
  void aRunThatGotItsResultAMomentAgoIsNotYetEndedForItsHostWhoseCleanupIsComing() {
    long justFinished = queuedRun("https://example.com/held-just-finished.git");
    long finishedBefore = queuedRun("https://example.com/held-finished-before.git");
    finish(justFinished, "passed", null);
    finish(finishedBefore, "failed", "make: *** [all] Error 2");
    endedSecondsAgo(finishedBefore, 3);

    HttpResponse<String> answer =
        worker(
            "/internal/hosts/janitor-host",
            ("{\"archs\": [\"x86_64\"], \"slots\": 2, \"busy\": 0, \"cpu\": 0.5,"
                    + " \"memory\": 0.4, \"runs\": [%d, %d]}")
                .formatted(justFinished, finishedBefore));

    assertThat(Http.json(answer).path("ended").toString())
        .isEqualTo("[%d]".formatted(finishedBefore));
  }

  /** As if the run's terminal write came that long ago. */
  private void endedSecondsAgo(long runId, int seconds) {
    jdbc.sql("UPDATE runs SET finished_at = now() - make_interval(secs => :s) WHERE id = :id")
        .param("s", seconds)
        .param("id", runId)
        .update();
  }

  @Test
  void aHostReportWithoutRunsIsAnsweredWithNothingEnded() {
    HttpResponse<String> answer =
        worker(
            "/internal/hosts/old-host",
            "{\"archs\": [\"x86_64\"], \"slots\": 1, \"busy\": 0, \"cpu\": 0.1, \"memory\": 0.1}");

    assertThat(Http.json(answer).path("ended").toString()).isEqualTo("[]");
  }

  @Test
  void aHostReportWithAnInvalidRunIdIsRejectedWithAProblem() {
    HttpResponse<String> answer =
        http.postJson(
            "/internal/hosts/h2",
            "{\"archs\": [\"x86_64\"], \"slots\": 1, \"busy\": 0, \"cpu\": 0.5,"
                + " \"memory\": 0.2, \"runs\": [0]}",
            "Authorization",
            AUTH);

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(Http.json(answer).path("detail").asString())
        .isEqualTo("runs[0]: must be a run id, got 0");
  }

  @Test
  void aHostReportThatIsNotOneIsRejectedWithAProblem() {
    HttpResponse<String> cpu =
        http.postJson(
            "/internal/hosts/h1",
            "{\"archs\": [\"x86_64\"], \"slots\": 1, \"busy\": 0, \"cpu\": 1.5, \"memory\": 0.2}",
            "Authorization",
            AUTH);
    HttpResponse<String> noArchs =
        http.postJson(
            "/internal/hosts/h1",
            "{\"archs\": [], \"slots\": 1, \"busy\": 0, \"cpu\": 0.5, \"memory\": 0.2}",
            "Authorization",
            AUTH);
    HttpResponse<String> noToken =
        http.postJson(
            "/internal/hosts/h1",
            "{\"archs\": [\"x86_64\"], \"slots\": 1, \"busy\": 0, \"cpu\": 0.5, \"memory\": 0.2}");

    assertThat(cpu.statusCode()).isEqualTo(400);
    assertThat(cpu.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(Http.json(cpu).path("detail").asString())
        .isEqualTo("cpu: must be a fraction from 0 to 1, got 1.5");
    assertThat(noArchs.statusCode()).isEqualTo(400);
    assertThat(Http.json(noArchs).path("detail").asString())
        .isEqualTo("archs: must name at least one architecture");
    assertThat(noToken.statusCode()).isEqualTo(401);
  }

  private long run(String arch, RunPriority priority) {
    return run(arch, "https://example.com/queue-" + arch + ".git", priority);
  }

  private long run(String arch, String repo, RunPriority priority) {
    // supersede=false: each request its own lane, as in a busy farm
    return runs.insert(
            new NewRun(
                repo,
                "main",
                arch,
                repo + "#main@" + arch + "/" + System.nanoTime(),
                null,
                priority,
                false,
                null,
                List.of(),
                null))
        .orElseThrow();
  }

  @Test
  void anArchWhoseOnlyHostIsBusyIsServedAndTheAnswerNeedsTheWorkerToken() {
    host("mips-busy", "[\"mips64\"]", 1, 1, false);

    HttpResponse<String> refused = http.get("/internal/archs/mips64/served");
    HttpResponse<String> answer =
        http.send(
            http.request("/internal/archs/mips64/served")
                .header("Authorization", AUTH)
                .GET()
                .build());

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(Http.json(answer).path("served").asBoolean()).isTrue();
    assertThat(Http.json(answer).path("arch").asString()).isEqualTo("mips64");
  }

  private void host(String name, String archs, int slots, int busy, boolean paused) {
    worker(
        "/internal/hosts/" + name,
        "{\"archs\": %s, \"slots\": %d, \"busy\": %d, \"cpu\": 0.5, \"memory\": 0.4, \"paused_for_resources\": %s}"
            .formatted(archs, slots, busy, paused));
  }

  private JsonNode status() {
    HttpResponse<String> response = http.get("/build-jobs/queue/status");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Http.json(response);
  }

  private static JsonNode arch(JsonNode status, String arch) {
    return StreamSupport.stream(status.path("archs").spliterator(), false)
        .filter(a -> a.path("arch").asString().equals(arch))
        .findFirst()
        .orElseThrow(() -> new AssertionError(arch + " not in " + status));
  }

  private JsonNode view(long id) {
    HttpResponse<String> response = http.get("/runs/" + id);
    assertThat(response.statusCode()).isEqualTo(200);
    return Http.json(response);
  }

  private String reason(long id) {
    return view(id).path("waiting_reason").asString();
  }
}
