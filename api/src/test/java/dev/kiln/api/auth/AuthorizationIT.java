package dev.kiln.api.auth;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.RunFilter;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.RawHttp;
import dev.kiln.api.support.StrictApi;
import dev.kiln.api.support.TestProperties;
import dev.kiln.workflows.RunPriority;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every endpoint of the api, as its handler mappings list them, against every caller that must be
 * refused: no token, a malformed, unknown, expired or deleted token, a token without the scope, and
 * a token of another repository; and then the right caller, who gets the answer. The table below
 * names each endpoint's scope; a handler mapping missing from it fails the test, so a new endpoint
 * cannot ship without deciding who may call it. The api runs as outside the dev stack: loopback is
 * not trusted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationIT extends StrictApi {

  static final String REPO = "https://git.example.com/team/app.git";
  static final String SHA = "9f1c2ab0".repeat(5);
  static final JsonMapper JSON = JsonMapper.builder().build();

  /** How an endpoint decides who may call it. */
  enum Kind {
    /** About one run: the scope, on the run's repository. */
    RUN,
    /** Lists runs: the scope; only runs of the caller's repositories are listed. */
    LIST,
    /** The scope, whatever the repository. */
    GLOBAL,
    /** Anyone: the error page, and the health status. */
    OPEN,
    /** The workers' token only ({@code /internal/**}). */
    WORKER,
    /**
     * No caller: a forge's delivery, proven by the repository's webhook secret ({@code /hooks}).
     */
    FORGE
  }

  /** One row: what to send, what scope it needs. */
  record Endpoint(
      Kind kind,
      Scope scope,
      String method,
      String path,
      String body,
      String accept,
      String contentType) {

    Endpoint(Kind kind, Scope scope, String method, String path, String body, String accept) {
      this(kind, scope, method, path, body, accept, "application/json");
    }

    static Endpoint get(Kind kind, Scope scope, String path) {
      return new Endpoint(kind, scope, "GET", path, null, null);
    }
  }

  @Autowired ApiTokens tokens;
  @Autowired TokenStore store;
  @Autowired RunRepository runs;
  @Autowired RepoStore repos;
  @Autowired List<RequestMappingInfoHandlerMapping> handlerMappings;

  RawHttp http;
  int runsBefore;
  long runId;
  long victimTokenId;
  long repoId;
  String admin;
  String otherRepository;
  String expired;
  String deleted;
  Map<Scope, String> allBut = new LinkedHashMap<>();
  Map<Scope, String> only = new LinkedHashMap<>();

  @BeforeAll
  void fixture() throws Exception {
    http = new RawHttp(port);
    runsBefore = allRuns();
    runId = runs.insert(newRun(REPO, "main", "x86_64", "7", null), "someone").orElseThrow();
    worker(
        "POST",
        "/internal/runs/" + runId + "/resolved",
        "{\"sha\": \"" + SHA + "\", \"gates\": []}");
    worker("POST", "/internal/runs/" + runId + "/phase", "{\"phase\": \"compiling\"}");
    worker(
        "POST",
        "/internal/hosts/auth-host",
        "{\"archs\": [\"x86_64\"], \"slots\": 1, \"busy\": 0, \"cpu\": 0.1, \"memory\": 0.1}");
    byte[] jar = "jar bytes".getBytes(StandardCharsets.UTF_8);
    RawHttp.Response upload =
        new RawHttp(port)
            .send(
                "PUT",
                "/internal/runs/" + runId + "/artifacts?path=target/app.jar",
                new String(jar, StandardCharsets.UTF_8),
                "Authorization",
                "Bearer " + TestProperties.TOKEN,
                "Content-Type",
                "application/octet-stream",
                "X-Kiln-Sha256",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar)));
    assertThat(upload.status()).as(upload.body()).isEqualTo(201);

    repoId =
        repos
            .insert(
                new RepoStore.Settings(
                    REPO,
                    List.of("**"),
                    List.of("x86_64"),
                    RunPriority.NORMAL,
                    null,
                    List.of(),
                    List.of()),
                "webhook-secret",
                "test")
            .id();
    admin = secret("admin", Set.of(Scope.ADMIN), RepoPatterns.any(), null);
    otherRepository =
        secret(
            "other-team",
            EnumSet.complementOf(EnumSet.of(Scope.ADMIN)),
            RepoPatterns.of(List.of("https://git.example.com/other/*")),
            null);
    for (Scope scope : Scope.values()) {
      Set<Scope> rest = EnumSet.complementOf(EnumSet.of(scope, Scope.ADMIN));
      allBut.put(scope, secret("all-but-" + scope.wireName(), rest, RepoPatterns.any(), null));
      only.put(scope, secret("only-" + scope.wireName(), Set.of(scope), RepoPatterns.any(), null));
    }
    expired =
        secret("expired", Set.of(Scope.ADMIN), RepoPatterns.any(), Instant.now().minusSeconds(1));
    ApiTokens.Created gone =
        tokens.create("deleted", Set.of(Scope.ADMIN), RepoPatterns.any(), null, "test");
    deleted = gone.secret();
    tokens.revoke(gone.token().id(), "test");
    ApiTokens.Created victim =
        tokens.create("victim", Set.of(Scope.READ), RepoPatterns.any(), null, "test");
    victimTokenId = victim.token().id();
  }

  private String secret(String name, Set<Scope> scopes, RepoPatterns repos, Instant expiresAt) {
    return tokens.create(name, scopes, repos, expiresAt, "test").secret();
  }

  private void worker(String method, String path, String body) {
    RawHttp.Response response =
        http.send(method, path, body, "Authorization", "Bearer " + TestProperties.TOKEN);
    assertThat(response.status()).as(path + " " + response.body()).isBetween(200, 299);
  }

  /** Every endpoint, by method, path pattern and the kind of answer it produces. */
  Map<String, Endpoint> table() {
    Map<String, Endpoint> t = new LinkedHashMap<>();
    String run = "/runs/" + runId;
    t.put(
        "POST /rebuild",
        new Endpoint(
            Kind.RUN,
            Scope.TRIGGER,
            "POST",
            "/rebuild",
            "{\"repo\": \"" + REPO + "\", \"ref\": \"main\"}",
            null));
    t.put(
        "POST /submissions",
        new Endpoint(
            Kind.GLOBAL,
            Scope.TRIGGER,
            "POST",
            "/submissions?name=app",
            "x",
            null,
            "application/x-git-bundle"));
    t.put("GET /runs/{id}", Endpoint.get(Kind.RUN, Scope.READ, run));
    t.put(
        "GET /runs/{id} (html)",
        new Endpoint(Kind.RUN, Scope.READ, "GET", run, null, MediaType.TEXT_HTML_VALUE));
    t.put("GET /runs", Endpoint.get(Kind.LIST, Scope.READ, "/runs"));
    t.put("GET /runs/{id}/logs", Endpoint.get(Kind.RUN, Scope.READ, run + "/logs"));
    t.put(
        "GET /runs/{id}/logs ?grep", Endpoint.get(Kind.RUN, Scope.READ, run + "/logs?grep=error"));
    t.put(
        "GET / (html)",
        new Endpoint(Kind.GLOBAL, Scope.READ, "GET", "/", null, MediaType.TEXT_HTML_VALUE));
    t.put(
        "POST /runs/{id}/retry",
        new Endpoint(Kind.RUN, Scope.TRIGGER, "POST", run + "/retry", null, null));
    t.put(
        "GET /runs/{id}/logs (sse)",
        new Endpoint(Kind.RUN, Scope.READ, "GET", run + "/logs", null, "text/event-stream"));
    t.put("GET /runs/{id}/artifacts", Endpoint.get(Kind.RUN, Scope.READ, run + "/artifacts"));
    t.put(
        "GET /runs/{id}/artifacts/{*path}",
        Endpoint.get(Kind.RUN, Scope.READ, run + "/artifacts/target/app.jar"));
    t.put("GET /runs/{id}/tests", Endpoint.get(Kind.RUN, Scope.READ, run + "/tests"));
    t.put("GET /state", Endpoint.get(Kind.LIST, Scope.READ, "/state"));
    t.put("GET /mr-task/{mr}", Endpoint.get(Kind.LIST, Scope.READ, "/mr-task/7"));
    t.put(
        "PUT /build-jobs/{id}/cancel",
        new Endpoint(
            Kind.RUN, Scope.CANCEL, "PUT", "/build-jobs/" + runId + "/cancel", "{}", null));
    t.put(
        "GET /build-jobs/queue/status",
        Endpoint.get(Kind.GLOBAL, Scope.READ, "/build-jobs/queue/status"));
    t.put("GET /workers", Endpoint.get(Kind.GLOBAL, Scope.READ, "/workers"));
    t.put(
        "PUT /workers/{host}/drain",
        new Endpoint(Kind.GLOBAL, Scope.ADMIN, "PUT", "/workers/auth-host/drain", null, null));
    t.put(
        "DELETE /workers/{host}/drain",
        new Endpoint(Kind.GLOBAL, Scope.ADMIN, "DELETE", "/workers/auth-host/drain", null, null));
    t.put(
        "POST /tokens",
        new Endpoint(
            Kind.GLOBAL,
            Scope.ADMIN,
            "POST",
            "/tokens",
            "{\"name\": \"must-not-exist\", \"scopes\": [\"read\"]}",
            null));
    t.put("GET /tokens", Endpoint.get(Kind.GLOBAL, Scope.ADMIN, "/tokens"));
    t.put(
        "DELETE /tokens/{id}",
        new Endpoint(Kind.GLOBAL, Scope.ADMIN, "DELETE", "/tokens/" + victimTokenId, null, null));
    t.put(
        "POST /repos",
        new Endpoint(
            Kind.GLOBAL,
            Scope.ADMIN,
            "POST",
            "/repos",
            "{\"url\": \"https://git.example.com/team/must-not-exist.git\"}",
            null));
    t.put("GET /repos", Endpoint.get(Kind.GLOBAL, Scope.ADMIN, "/repos"));
    t.put("GET /repos/{id}", Endpoint.get(Kind.GLOBAL, Scope.ADMIN, "/repos/" + repoId));
    t.put(
        "PATCH /repos/{id}",
        new Endpoint(
            Kind.GLOBAL,
            Scope.ADMIN,
            "PATCH",
            "/repos/" + repoId,
            "{\"default_priority\": \"urgent\"}",
            null));
    t.put(
        "POST /repos/{id}/poll",
        new Endpoint(Kind.GLOBAL, Scope.ADMIN, "POST", "/repos/" + repoId + "/poll", null, null));
    t.put(
        "DELETE /repos/{id}",
        new Endpoint(Kind.GLOBAL, Scope.ADMIN, "DELETE", "/repos/" + repoId, null, null));
    t.put(
        "PUT /repos/{id}/secrets/{name}",
        new Endpoint(
            Kind.GLOBAL,
            Scope.ADMIN,
            "PUT",
            "/repos/" + repoId + "/secrets/MUST_NOT_EXIST",
            "value",
            null,
            "text/plain"));
    t.put(
        "GET /repos/{id}/secrets",
        Endpoint.get(Kind.GLOBAL, Scope.ADMIN, "/repos/" + repoId + "/secrets"));
    t.put(
        "GET /repos/{id}/flaky-tests",
        Endpoint.get(Kind.RUN, Scope.READ, "/repos/" + repoId + "/flaky-tests"));
    t.put(
        "DELETE /repos/{id}/secrets/{name}",
        new Endpoint(
            Kind.GLOBAL,
            Scope.ADMIN,
            "DELETE",
            "/repos/" + repoId + "/secrets/MUST_NOT_EXIST",
            null,
            null));
    String push =
        "{\"ref\": \"refs/heads/main\", \"after\": \""
            + SHA
            + "\", \"repository\": {\"clone_url\": \""
            + REPO
            + "\"}}";
    for (String forge : List.of("github", "gitlab", "gitea")) {
      t.put(
          "POST /hooks/" + forge,
          new Endpoint(Kind.FORGE, null, "POST", "/hooks/" + forge, push, null));
    }
    t.put("* /error", Endpoint.get(Kind.OPEN, null, "/error"));
    // the OpenAPI document and Swagger UI (springdoc's handlers)
    t.put("GET /v3/api-docs", Endpoint.get(Kind.GLOBAL, Scope.READ, "/v3/api-docs"));
    t.put("GET /v3/api-docs.yaml", Endpoint.get(Kind.GLOBAL, Scope.READ, "/v3/api-docs.yaml"));
    t.put(
        "GET /v3/api-docs/swagger-config",
        Endpoint.get(Kind.GLOBAL, Scope.READ, "/v3/api-docs/swagger-config"));
    t.put("GET /swagger-ui.html", Endpoint.get(Kind.GLOBAL, Scope.READ, "/swagger-ui.html"));
    // actuator
    t.put("GET /actuator", Endpoint.get(Kind.GLOBAL, Scope.METRICS, "/actuator"));
    t.put("GET /actuator/health", Endpoint.get(Kind.OPEN, null, "/actuator/health"));
    t.put(
        "GET /actuator/health/**", Endpoint.get(Kind.GLOBAL, Scope.METRICS, "/actuator/health/db"));
    t.put("GET /actuator/info", Endpoint.get(Kind.GLOBAL, Scope.METRICS, "/actuator/info"));
    t.put(
        "GET /actuator/prometheus",
        Endpoint.get(Kind.GLOBAL, Scope.METRICS, "/actuator/prometheus"));
    // the workers' endpoints
    String internal = "/internal/runs/" + runId;
    t.put(
        "POST /internal/runs/{id}/phase",
        new Endpoint(
            Kind.WORKER, null, "POST", internal + "/phase", "{\"phase\": \"staging\"}", null));
    t.put(
        "POST /internal/runs/{id}/resolved",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            internal + "/resolved",
            "{\"sha\": \"" + SHA + "\", \"gates\": []}",
            null));
    t.put(
        "POST /internal/runs/{id}/gates/{name}",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            internal + "/gates/unit",
            "{\"status\": \"running\"}",
            null));
    t.put(
        "POST /internal/runs/{id}/gates/{name}/tests",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            internal + "/gates/unit/tests",
            "{\"first\": 0, \"tests\": []}",
            null));
    t.put(
        "POST /internal/runs/{id}/finish",
        new Endpoint(
            Kind.WORKER, null, "POST", internal + "/finish", "{\"result\": \"passed\"}", null));
    t.put(
        "POST /internal/runs/{id}/supersede",
        new Endpoint(
            Kind.WORKER, null, "POST", internal + "/supersede", "{\"superseded_by\": 999}", null));
    t.put(
        "POST /internal/runs/{id}/restarted",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            internal + "/restarted",
            "{\"attempt\": 2, \"host\": \"h\", \"log_seq\": 5}",
            null));
    t.put(
        "POST /internal/runs/{id}/requires",
        new Endpoint(
            Kind.WORKER, null, "POST", internal + "/requires", "{\"labels\": [\"jdk21\"]}", null));
    t.put(
        "POST /internal/runs/{id}/attempt",
        new Endpoint(Kind.WORKER, null, "POST", internal + "/attempt", "{\"attempt\": 2}", null));
    t.put(
        "POST /internal/runs/{id}/secrets",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            internal + "/secrets",
            "{\"names\": [\"DEPLOY_TOKEN\"]}",
            null));
    t.put(
        "POST /internal/runs/{id}/sandbox",
        new Endpoint(
            Kind.WORKER, null, "POST", internal + "/sandbox", "{\"sandbox\": \"none\"}", null));
    t.put(
        "POST /internal/runs/{id}/usage",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            internal + "/usage",
            "{\"step\": \"compile\", \"command\": 0, \"peak_memory_bytes\": 1, \"cpu_millis\": 1}",
            null));
    t.put(
        "POST /internal/runs/{id}/logs",
        new Endpoint(Kind.WORKER, null, "POST", internal + "/logs", "{\"chunks\": []}", null));
    t.put(
        "PUT /internal/runs/{id}/artifacts",
        new Endpoint(
            Kind.WORKER,
            null,
            "PUT",
            internal + "/artifacts?path=evil.jar",
            "x",
            null,
            "application/octet-stream"));
    t.put(
        "GET /internal/runs/{id}/submission",
        Endpoint.get(Kind.WORKER, null, internal + "/submission"));
    t.put(
        "POST /internal/hosts/{host}",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            "/internal/hosts/evil",
            "{\"archs\": [\"x86_64\"], \"slots\": 1, \"busy\": 0, \"cpu\": 0.1, \"memory\": 0.1}",
            null));
    t.put(
        "GET /internal/archs/{arch}/served",
        Endpoint.get(Kind.WORKER, null, "/internal/archs/x86_64/served"));
    t.put(
        "POST /internal/retention",
        new Endpoint(Kind.WORKER, null, "POST", "/internal/retention", "{\"limit\": 1}", null));
    t.put(
        "POST /internal/repos/{id}/heads",
        new Endpoint(
            Kind.WORKER,
            null,
            "POST",
            "/internal/repos/" + repoId + "/heads",
            "{\"url\": \"https://git.example.com/team/other.git\", \"heads\": []}",
            null));
    return t;
  }

  /**
   * {@code GET /runs/{id} (html)}, {@code GET /runs/{id}/logs ?grep}: a mapping's methods,
   * patterns, the parameters it requires and the answer it produces.
   */
  static String key(RequestMappingInfo info) {
    String methods =
        info.getMethodsCondition().getMethods().isEmpty()
            ? "*"
            : String.join(
                ",",
                info.getMethodsCondition().getMethods().stream().map(Enum::name).sorted().toList());
    String produces = "";
    Set<MediaType> types = info.getProducesCondition().getProducibleMediaTypes();
    if (types.size() == 1 && types.contains(MediaType.TEXT_HTML)) {
      produces = " (html)";
    } else if (types.size() == 1 && types.contains(MediaType.TEXT_EVENT_STREAM)) {
      produces = " (sse)";
    }
    String params =
        info.getParamsCondition().getExpressions().isEmpty()
            ? ""
            : " ?"
                + String.join(
                    "&",
                    new TreeSet<>(
                        info.getParamsCondition().getExpressions().stream()
                            .map(Object::toString)
                            .toList()));
    return methods
        + " "
        + String.join(",", new TreeSet<>(info.getPatternValues()))
        + params
        + produces;
  }

  private Map<String, HandlerMethod> handlers() {
    Map<String, HandlerMethod> all = new LinkedHashMap<>();
    for (RequestMappingInfoHandlerMapping mapping : handlerMappings) {
      mapping.getHandlerMethods().forEach((info, method) -> all.put(key(info), method));
    }
    return all;
  }

  @Test
  void everyHandlerMappingHasARowAndEveryRowAHandler() {
    Set<String> mapped = new TreeSet<>(handlers().keySet());
    Set<String> listed = new TreeSet<>(table().keySet());
    assertThat(mapped)
        .as("endpoints without a row in AuthorizationIT.table(): decide who may call them")
        .containsAll(listed);
    assertThat(listed).as("rows of endpoints that do not exist").containsAll(mapped);
  }

  @Test
  void everyKilnHandlerDeclaresTheScopeItsRowSays() {
    Map<String, Endpoint> table = table();
    handlers()
        .forEach(
            (key, method) -> {
              if (!ScopeInterceptor.isKiln(method) || table.get(key).kind() == Kind.WORKER) {
                return;
              }
              Endpoint row = table.get(key);
              if (row.kind() == Kind.FORGE) {
                assertThat(ScopeInterceptor.declared(method, ForgeSigned.class))
                    .as(key)
                    .isPresent();
              } else if (row.kind() == Kind.OPEN) {
                assertThat(ScopeInterceptor.declared(method, AnyCaller.class)).as(key).isPresent();
              } else {
                assertThat(ScopeInterceptor.declared(method, RequiresScope.class))
                    .as(key)
                    .hasValueSatisfying(scope -> assertThat(scope.value()).isEqualTo(row.scope()));
              }
            });
  }

  @TestFactory
  Stream<DynamicTest> everyEndpointRefusesEveryCallerItMust() {
    List<DynamicTest> tests = new ArrayList<>();
    table()
        .forEach(
            (key, endpoint) -> {
              if (endpoint.kind() == Kind.OPEN) {
                return;
              }
              if (endpoint.kind() == Kind.FORGE) {
                for (String token : new String[] {null, "Bearer " + admin}) {
                  tests.add(
                      DynamicTest.dynamicTest(
                          key
                              + (token == null ? " without a token" : " with an admin token")
                              + ": without its forge's proof nothing is started",
                          () -> {
                            RawHttp.Response response = send(endpoint, token);
                            assertThat(response.status()).as(response.body()).isIn(400, 401);
                          }));
                }
                return;
              }
              tests.add(
                  DynamicTest.dynamicTest(
                      key + ": no token is 401",
                      () -> unauthorized(send(endpoint, null), "missing bearer token")));
              tests.add(
                  DynamicTest.dynamicTest(
                      key + ": a token of another form is 401",
                      () -> unauthorized(send(endpoint, "Bearer nope"), null)));
              tests.add(
                  DynamicTest.dynamicTest(
                      key + ": an unknown token is 401",
                      () ->
                          unauthorized(
                              send(endpoint, "Bearer kiln_" + "0".repeat(43)),
                              endpoint.kind() == Kind.WORKER ? null : "unknown token")));
              tests.add(
                  DynamicTest.dynamicTest(
                      key + ": an expired token is 401",
                      () ->
                          unauthorized(
                              send(endpoint, "Bearer " + expired),
                              endpoint.kind() == Kind.WORKER ? null : "expired at")));
              tests.add(
                  DynamicTest.dynamicTest(
                      key + ": a deleted token is 401",
                      () ->
                          unauthorized(
                              send(endpoint, "Bearer " + deleted),
                              endpoint.kind() == Kind.WORKER ? null : "was deleted")));
              if (endpoint.kind() == Kind.WORKER) {
                tests.add(
                    DynamicTest.dynamicTest(
                        key + ": an admin API token is 401, only the workers' token passes",
                        () ->
                            unauthorized(
                                send(endpoint, "Bearer " + admin), "invalid bearer token")));
                return;
              }
              tests.add(
                  DynamicTest.dynamicTest(
                      key + ": a token without scope " + endpoint.scope().wireName() + " is 403",
                      () ->
                          missingScope(
                              send(endpoint, "Bearer " + allBut.get(endpoint.scope())),
                              endpoint.scope())));
              if (endpoint.kind() == Kind.RUN) {
                tests.add(
                    DynamicTest.dynamicTest(
                        key + ": a token of another repository is 403 naming the repository",
                        () -> otherRepository(send(endpoint, "Bearer " + otherRepository))));
              }
              if (endpoint.kind() == Kind.LIST) {
                tests.add(
                    DynamicTest.dynamicTest(
                        key + ": a token of another repository sees none of its runs",
                        () -> {
                          RawHttp.Response response = send(endpoint, "Bearer " + otherRepository);
                          assertThat(response.status()).isIn(200, 404);
                          assertThat(response.body()).doesNotContain(REPO);
                        }));
              }
              if (endpoint.method().equals("GET")) {
                tests.add(
                    DynamicTest.dynamicTest(
                        key
                            + ": a token with scope "
                            + endpoint.scope().wireName()
                            + " alone gets the answer",
                        () -> answered(key, endpoint, "Bearer " + only.get(endpoint.scope()))));
              }
            });
    tests.add(
        DynamicTest.dynamicTest(
            "after all that, nothing changed: the run, the tokens, the runs recorded",
            this::nothingChanged));
    return tests.stream();
  }

  private void answered(String key, Endpoint endpoint, String authorization) throws Exception {
    if ("text/event-stream".equals(endpoint.accept())) {
      // the run builds on, and so would the stream: its first bytes suffice
      java.net.http.HttpResponse<java.io.InputStream> stream =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://localhost:" + port + endpoint.path()))
                      .header("Authorization", authorization)
                      .header("Accept", endpoint.accept())
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofInputStream());
      try (java.io.InputStream body = stream.body()) {
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(new String(body.readNBytes(20), StandardCharsets.UTF_8)).startsWith("event:");
      }
      return;
    }
    RawHttp.Response response = send(endpoint, authorization);
    // Swagger UI's page redirects to its index
    assertThat(response.status()).as(response.body()).isBetween(200, 302);
    if (endpoint.kind() == Kind.LIST || key.equals("GET /runs/{id}")) {
      assertThat(response.body()).contains(REPO);
    }
  }

  private void nothingChanged() {
    JsonNode run =
        JSON.readTree(
            send(Endpoint.get(Kind.RUN, Scope.READ, "/runs/" + runId), "Bearer " + admin).body());
    assertThat(run.path("phase").asString()).isEqualTo("compiling");
    assertThat(run.path("result").asString()).isEqualTo("building");
    assertThat(run.path("cancelled_by").isNull()).isTrue();
    assertThat(run.path("triggered_by").asString()).isEqualTo("someone");
    assertThat(run.path("artifacts")).hasSize(1);
    // other tests of this context made runs of their own before: count from the fixture's start
    assertThat(allRuns()).as("no rebuild got through").isEqualTo(runsBefore + 1);
    assertThat(repos.find(repoId))
        .as("the registered repository is unchanged")
        .hasValueSatisfying(r -> assertThat(r.defaultPriority()).isEqualTo(RunPriority.NORMAL));
    assertThat(repos.list())
        .extracting(r -> r.url())
        .doesNotContain("https://git.example.com/team/must-not-exist.git");
    List<StoredToken> all = tokens.list();
    assertThat(all).extracting(StoredToken::name).doesNotContain("must-not-exist");
    assertThat(all)
        .filteredOn(t -> t.id() == victimTokenId)
        .singleElement()
        .satisfies(t -> assertThat(t.revokedAt()).isNull());
  }

  private int allRuns() {
    return runs.list(new RunFilter(null, null, null, null, null, null, null), 200).size();
  }

  @Test
  void theHealthStatusIsOpenToAnyoneAndItsDetailsNeedScopeMetrics() {
    RawHttp.Response open = http.send("GET", "/actuator/health", null);
    // Temporal is down in this test (localhost:1): the status says so, and nothing more
    assertThat(open.status()).isIn(200, 503);
    JsonNode status = JSON.readTree(open.body());
    assertThat(status.path("status").asString()).isIn("UP", "DOWN");
    assertThat(status.has("components")).isFalse();

    RawHttp.Response detailed =
        http.send(
            "GET", "/actuator/health", null, "Authorization", "Bearer " + only.get(Scope.METRICS));
    assertThat(
            JSON.readTree(detailed.body()).path("components").path("db").path("status").asString())
        .isEqualTo("UP");

    RawHttp.Response reader =
        http.send(
            "GET", "/actuator/health", null, "Authorization", "Bearer " + only.get(Scope.READ));
    assertThat(JSON.readTree(reader.body()).has("components")).isFalse();
  }

  private RawHttp.Response send(Endpoint endpoint, String authorization) {
    List<String> headers = new ArrayList<>();
    if (authorization != null) {
      headers.add("Authorization");
      headers.add(authorization);
    }
    if (endpoint.accept() != null) {
      headers.add("Accept");
      headers.add(endpoint.accept());
    }
    if (endpoint.body() != null) {
      headers.add("Content-Type");
      headers.add(endpoint.contentType());
    }
    return http.send(
        endpoint.method(), endpoint.path(), endpoint.body(), headers.toArray(String[]::new));
  }

  private static void unauthorized(RawHttp.Response response, String detail) {
    assertThat(response.status()).as(response.body()).isEqualTo(401);
    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    assertThat(response.header("WWW-Authenticate")).startsWith("Bearer realm=");
    if (detail != null) {
      assertThat(JSON.readTree(response.body()).path("detail").asString()).contains(detail);
    }
  }

  private static void missingScope(RawHttp.Response response, Scope scope) {
    assertThat(response.status()).as(response.body()).isEqualTo(403);
    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    assertThat(JSON.readTree(response.body()).path("detail").asString())
        .contains("lacks scope \"" + scope.wireName() + "\"");
    assertThat(response.header("WWW-Authenticate"))
        .contains("error=\"insufficient_scope\"")
        .contains("scope=\"" + scope.wireName() + "\"");
  }

  private static void otherRepository(RawHttp.Response response) {
    assertThat(response.status()).as(response.body()).isEqualTo(403);
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.path("detail").asString())
        .isEqualTo(
            "token \"other-team\" may not "
                + verb(problem)
                + " repository "
                + REPO
                + " (its repositories: https://git.example.com/other/*)");
    assertThat(problem.path("repository").asString()).isEqualTo(REPO);
  }

  private static String verb(JsonNode problem) {
    String detail = problem.path("detail").asString();
    return detail.substring(
        "token \"other-team\" may not ".length(), detail.indexOf(" repository "));
  }
}
