package dev.kiln.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.support.KilnApp;
import dev.kiln.workflows.LogChunk;
import dev.kiln.workflows.internal.InternalBodies;
import dev.kiln.workflows.internal.InternalBodies.ArchServed;
import dev.kiln.workflows.internal.InternalBodies.ArtifactAnswer;
import dev.kiln.workflows.internal.InternalBodies.AttemptAnswer;
import dev.kiln.workflows.internal.InternalBodies.AttemptStarted;
import dev.kiln.workflows.internal.InternalBodies.Finish;
import dev.kiln.workflows.internal.InternalBodies.FinishAnswer;
import dev.kiln.workflows.internal.InternalBodies.GateChange;
import dev.kiln.workflows.internal.InternalBodies.Head;
import dev.kiln.workflows.internal.InternalBodies.HeadBuild;
import dev.kiln.workflows.internal.InternalBodies.Heads;
import dev.kiln.workflows.internal.InternalBodies.HeadsAnswer;
import dev.kiln.workflows.internal.InternalBodies.HostAnswer;
import dev.kiln.workflows.internal.InternalBodies.HostStatus;
import dev.kiln.workflows.internal.InternalBodies.LabelledQueue;
import dev.kiln.workflows.internal.InternalBodies.Limits;
import dev.kiln.workflows.internal.InternalBodies.LogBatch;
import dev.kiln.workflows.internal.InternalBodies.LogsAnswer;
import dev.kiln.workflows.internal.InternalBodies.PhaseChange;
import dev.kiln.workflows.internal.InternalBodies.PlannedGate;
import dev.kiln.workflows.internal.InternalBodies.Requires;
import dev.kiln.workflows.internal.InternalBodies.Resolved;
import dev.kiln.workflows.internal.InternalBodies.Restarted;
import dev.kiln.workflows.internal.InternalBodies.RetentionAnswer;
import dev.kiln.workflows.internal.InternalBodies.RetentionRequest;
import dev.kiln.workflows.internal.InternalBodies.SandboxReport;
import dev.kiln.workflows.internal.InternalBodies.SecretsAnswer;
import dev.kiln.workflows.internal.InternalBodies.SecretsRequest;
import dev.kiln.workflows.internal.InternalBodies.Supersede;
import dev.kiln.workflows.internal.InternalBodies.TestEntry;
import dev.kiln.workflows.internal.InternalBodies.Tests;
import dev.kiln.workflows.internal.InternalBodies.TestsPart;
import dev.kiln.workflows.internal.InternalBodies.UsageReport;
import dev.kiln.workflows.internal.InternalJson;
import dev.kiln.workflows.internal.InternalPaths;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code /internal} contract from both ends: every body the worker sends, written with the
 * worker's mapper ({@link InternalJson}) and read with the api's own (this application's {@link
 * JsonMapper}, configured by application.yml), comes out equal, and so does every answer the other
 * way; every path the worker builds reaches the handler mapped from the matching constant, and
 * every {@code /internal} handler is mapped from one. The whole application, as it runs.
 */
@SpringBootTest
@ActiveProfiles("test")
class InternalContractIT {

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    KilnApp.register(registry, Files.createTempDirectory("kiln-home"));
    // nothing here talks to Temporal
    registry.add("kiln.temporal.address", () -> "localhost:1");
  }

  private static final ObjectMapper WORKER = InternalJson.newMapper();

  /** Every field set, so a name either side spells differently shows as a missing value. */
  private static final List<Object> REQUESTS =
      List.of(
          new PhaseChange("compiling"),
          new Resolved(
              "0123456789abcdef0123456789abcdef01234567",
              "main",
              "1.2.3",
              "host-1",
              "kiln.yaml",
              List.of(new PlannedGate("unit", true), new PlannedGate("lint", false)),
              "compiling"),
          new GateChange("failed", "2 of 9 failed", new Tests(9, 2, 1)),
          new Finish("failed", "gate unit failed"),
          new Supersede(42L, "superseded by run 42"),
          new Restarted(2, "host-2", "host-1", 1_000_000_000L),
          new Requires(List.of("jdk21", "big-memory")),
          new AttemptStarted(2),
          new TestsPart(
              500,
              1200,
              List.of(
                  new TestEntry(
                      "suite", "adds", "failed", 12L, "expected 2 got 3", "src/a.c", 40))),
          new SandboxReport(
              "bwrap", new Limits(1L << 31, 1.5, 512, 1L << 33, 3600L, false, "cgroup v1")),
          new UsageReport("compile", 3, 1L << 28, 4200L),
          new LogBatch(
              List.of(
                  new LogChunk(
                      7L,
                      "gate:unit",
                      4096L,
                      Instant.parse("2026-12-02T12:00:01.123456789Z"),
                      "héllo \u001b[31mred\u001b[0m\n".getBytes(StandardCharsets.UTF_8)))),
          new HostStatus(
              List.of("x86_64", "aarch64"),
              4,
              2,
              0.42,
              0.61,
              true,
              List.of(41L, 42L),
              List.of("big-memory", "jdk21"),
              "0.1.0",
              true,
              "kiln-host-a-1a2b3c4d"),
          new RetentionRequest(100),
          new Heads(
              "https://git.example.com/team/app.git",
              "watcher",
              List.of(new Head("release/1", "ab".repeat(20)))),
          new SecretsRequest(List.of("DEPLOY_TOKEN", "NPM_TOKEN")));

  private static final List<Object> ANSWERS =
      List.of(
          new FinishAnswer(true),
          new LogsAnswer(true),
          new AttemptAnswer(3),
          new HostAnswer(
              List.of(41L), true, List.of(new LabelledQueue("x86_64", List.of("jdk21")))),
          new ArchServed("riscv64", false),
          new ArtifactAnswer("target/app.jar", 1234L, "ab".repeat(32)),
          new RetentionAnswer(3, 1_000_000L, 7, true),
          new HeadsAnswer(List.of(new HeadBuild("main", "cd".repeat(20), List.of(41L, 42L))), "x"),
          new SecretsAnswer(
              Map.of("DEPLOY_TOKEN", "s3cr3t\nline two"), List.of("NPM_TOKEN"), null));

  @Autowired JsonMapper api;

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  @Test
  void everyRequestTheWorkerWritesTheApiReadsAsTheSameRecord() throws Exception {
    for (Object sent : REQUESTS) {
      String wire = WORKER.writeValueAsString(sent);

      Object read = api.readValue(wire, sent.getClass());

      assertThat(read).as(wire).usingRecursiveComparison().isEqualTo(sent);
    }
  }

  @Test
  void everyAnswerTheApiWritesTheWorkerReadsAsTheSameRecord() throws Exception {
    for (Object sent : ANSWERS) {
      String wire = api.writeValueAsString(sent);

      Object read = WORKER.readValue(wire, sent.getClass());

      assertThat(read).as(wire).usingRecursiveComparison().isEqualTo(sent);
    }
  }

  @Test
  void theWireNamesAreSnakeCaseOnBothSides() throws Exception {
    Restarted restarted = new Restarted(2, "host-2", "host-1", 9L);

    assertThat(WORKER.writeValueAsString(restarted))
        .isEqualTo(api.writeValueAsString(restarted))
        .contains("\"previous_host\":\"host-1\"", "\"log_seq\":9");
  }

  @Test
  void theWorkerSendsTheRetentionRequestAsAnEmptyObject() throws Exception {
    assertThat(WORKER.writeValueAsString(new RetentionRequest(null))).isEqualTo("{}");
  }

  @Test
  void theTestsAboveCoverEveryBodyOfTheContract() {
    Set<Class<?>> covered =
        REQUESTS.stream().map(Object::getClass).collect(Collectors.toCollection(HashSet::new));
    ANSWERS.forEach(answer -> covered.add(answer.getClass()));
    covered.addAll(
        List.of(
            PlannedGate.class,
            Tests.class,
            TestEntry.class,
            Limits.class,
            Head.class,
            HeadBuild.class,
            LabelledQueue.class)); // nested inside the bodies above, compared field by field

    assertThat(covered).containsExactlyInAnyOrder(InternalBodies.class.getDeclaredClasses());
  }

  @Test
  void everyInternalHandlerIsMappedFromAPathOfTheContract() throws Exception {
    Set<String> mapped =
        mappings.getHandlerMethods().keySet().stream()
            .flatMap(info -> info.getPatternValues().stream())
            .filter(pattern -> pattern.startsWith(InternalPaths.INTERNAL + "/"))
            .collect(Collectors.toSet());

    assertThat(mapped).containsExactlyInAnyOrderElementsOf(endpointPatterns());
  }

  @Test
  void everyPathTheWorkerBuildsReachesTheHandlerOfItsPattern() throws Exception {
    assertRoutes("POST", InternalPaths.phase(7), InternalPaths.PHASE);
    assertRoutes("POST", InternalPaths.resolved(7), InternalPaths.RESOLVED);
    assertRoutes("POST", InternalPaths.gate(7, "unit"), InternalPaths.GATE);
    assertRoutes("POST", InternalPaths.gateTests(7, "unit"), InternalPaths.GATE_TESTS);
    assertRoutes("POST", InternalPaths.finish(7), InternalPaths.FINISH);
    assertRoutes("POST", InternalPaths.supersede(7), InternalPaths.SUPERSEDE);
    assertRoutes("POST", InternalPaths.restarted(7), InternalPaths.RESTARTED);
    assertRoutes("POST", InternalPaths.requires(7), InternalPaths.REQUIRES);
    assertRoutes("POST", InternalPaths.attempt(7), InternalPaths.ATTEMPT);
    assertRoutes("POST", InternalPaths.sandbox(7), InternalPaths.SANDBOX);
    assertRoutes("POST", InternalPaths.usage(7), InternalPaths.USAGE);
    assertRoutes("POST", InternalPaths.logs(7), InternalPaths.LOGS);
    assertRoutes("PUT", InternalPaths.artifact(7, "target/app 1.jar"), InternalPaths.ARTIFACTS);
    assertRoutes("GET", InternalPaths.submission(7), InternalPaths.SUBMISSION);
    assertRoutes("POST", InternalPaths.host("build-1"), InternalPaths.HOST);
    assertRoutes("GET", InternalPaths.archServed("x86_64"), InternalPaths.ARCH_SERVED);
    assertRoutes("POST", InternalPaths.retention(), InternalPaths.RETENTION);
    assertRoutes("POST", InternalPaths.repoHeads(7), InternalPaths.REPO_HEADS);
  }

  @Test
  void theArtifactPathCarriesItsFilePathQueryEncoded() {
    assertThat(InternalPaths.artifact(7, "target/app 1.jar"))
        .isEqualTo("/internal/runs/7/artifacts?path=target%2Fapp+1.jar");
  }

  private void assertRoutes(String method, String path, String pattern) throws Exception {
    int query = path.indexOf('?');
    MockHttpServletRequest request =
        new MockHttpServletRequest(method, query < 0 ? path : path.substring(0, query));
    request.addHeader("Content-Type", contentType(method));
    ServletRequestPathUtils.parseAndCache(request);

    HandlerExecutionChain handler = mappings.getHandler(request);

    assertThat(handler).as(method + " " + path).isNotNull();
    assertThat(String.valueOf(request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE)))
        .as(method + " " + path)
        .isEqualTo(pattern);
  }

  private static String contentType(String method) {
    return "PUT".equals(method) ? "application/octet-stream" : "application/json";
  }

  /** The constants of {@link InternalPaths} that name an endpoint, not only a prefix of some. */
  private static Set<String> endpointPatterns() throws IllegalAccessException {
    Set<String> patterns = new HashSet<>();
    for (Field field : InternalPaths.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        patterns.add((String) field.get(null));
      }
    }
    patterns.removeAll(Set.of(InternalPaths.INTERNAL, InternalPaths.RUN));
    return patterns;
  }
}
