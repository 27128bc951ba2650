package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.dev.Ports;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust at the api, black-box against the real dev stack: its own api (which trusts this machine
 * without a token) and a second api joining it with {@code KILN_AUTH_TRUST_LOOPBACK=false}, as an
 * installation outside the dev stack runs. Tokens come from the installation's first admin token
 * and from {@code kiln-dev.jar token create}; the hostile cases each expect a status and a body,
 * and check that nothing changed where nothing should.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class TrustEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  static final ObjectMapper JSON = new ObjectMapper();

  static final int REBUILDS_PER_MINUTE = 20;
  static final int STREAMS_PER_TOKEN = 100;

  /** Both apis get these limits; requests per second high enough to leave the others in play. */
  static final Map<String, String> LIMITS =
      Map.of(
          "KILN_LIMITS_REBUILDS_PER_MINUTE",
          Integer.toString(REBUILDS_PER_MINUTE),
          "KILN_LIMITS_STREAMS_PER_TOKEN",
          Integer.toString(STREAMS_PER_TOKEN),
          "KILN_LIMITS_REQUESTS_PER_SECOND",
          "2000",
          // closed streams are noticed at a heartbeat
          "KILN_LOGS_HEARTBEAT",
          "2s");

  @TempDir static Path temp;
  static DevStackProcess stack;
  static JoiningProcess strictApi;
  static int strictPort;
  static RawHttp dev;
  static RawHttp strict;
  static KilnHttp local;
  static GitFixtures fixtures;
  static String admin;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startStackAndAStrictApi() throws Exception {
    stack = DevStackProcess.start(temp.resolve("kiln-home"), LIMITS);
    strictPort = Ports.freePort();
    Map<String, String> settings = new LinkedHashMap<>(LIMITS);
    settings.put("SERVER_PORT", Integer.toString(strictPort));
    settings.put("KILN_AUTH_TRUST_LOOPBACK", "false");
    strictApi = JoiningProcess.start(stack, "api", temp.resolve("strict-api"), settings);
    dev = new RawHttp(stack.apiPort);
    strict = new RawHttp(strictPort);
    local = new KilnHttp(stack.baseUrl());
    fixtures = new GitFixtures(temp.resolve("repos"));
    admin = Files.readString(stack.home.resolve("admin.token")).trim();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (strictApi != null) {
      strictApi.close();
    }
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void theDevStackTrustsCurlOnItsMachineButNotADnsRebindingPageNorAnotherSitesPage()
      throws Exception {
    String repo = fixtures.repository("c-make", Map.of());
    int runsBefore = local.get("/runs?repo=" + repo).json().path("runs").size();

    RawHttp.Response curl = dev.send("GET", "/runs", null);
    assertThat(curl.status()).isEqualTo(200);

    RawHttp.Response rebound =
        dev.send("GET", "/runs", null, "Host", "rebind.attacker.example:" + stack.apiPort);
    assertThat(rebound.status()).isEqualTo(401);
    assertThat(rebound.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"kiln\"");
    assertThat(detail(rebound))
        .startsWith("missing bearer token")
        .contains("this one: Host rebind.attacker.example:" + stack.apiPort);
    RawHttp.Response reboundPost =
        dev.send(
            "POST",
            "/rebuild",
            "{\"repo\": \"" + repo + "\"}",
            "Host",
            "rebind.attacker.example:" + stack.apiPort);
    assertThat(reboundPost.status()).isEqualTo(401);

    RawHttp.Response crossSite =
        dev.send(
            "POST", "/rebuild", "{\"repo\": \"" + repo + "\"}", "Origin", "https://evil.example");
    assertThat(crossSite.status()).isEqualTo(401);
    assertThat(detail(crossSite)).contains("Origin https://evil.example");

    assertThat(local.get("/runs?repo=" + repo).json().path("runs").size())
        .as("neither page started a build")
        .isEqualTo(runsBefore);
    // a token is a token whatever the Host
    String reader = token("rebinding-reader", List.of("read"), List.of());
    assertThat(
            dev.send(
                    "GET",
                    "/runs",
                    null,
                    "Host",
                    "rebind.attacker.example",
                    "Authorization",
                    "Bearer " + reader)
                .status())
        .isEqualTo(200);
  }

  @Test
  void kilnDevJarTokenCreateMakesATokenThatWorksUntilTokenDeleteEndsIt() throws Exception {
    String repo = fixtures.repository("c-make", Map.of());
    Cli create =
        cli("token", "create", "--name", "cli-e2e", "--scopes", "read,trigger", "--repos", repo);
    assertThat(create.status()).as(create.err()).isZero();
    String secret = create.out().trim();
    assertThat(secret).matches("kiln_[0-9A-Za-z]{43}");
    assertThat(create.err()).contains("Made token").contains("scopes read, trigger");

    assertThat(strict.send("GET", "/runs", null, "Authorization", "Bearer " + secret).status())
        .isEqualTo(200);
    RawHttp.Response tokens =
        strict.send("GET", "/tokens", null, "Authorization", "Bearer " + secret);
    assertThat(tokens.status()).isEqualTo(403);

    Cli list = cli("token", "list");
    assertThat(list.out()).contains("cli-e2e").contains("live").doesNotContain(secret);
    Matcher id = Pattern.compile("(?m)^(\\d+)\\s+live\\s+cli-e2e").matcher(list.out());
    assertThat(id.find()).as(list.out()).isTrue();

    Cli delete = cli("token", "delete", id.group(1));
    assertThat(delete.status()).as(delete.err()).isZero();
    // the strict api keeps what it read about a token for up to kiln.auth.token-cache (10 s)
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                strict.send("GET", "/runs", null, "Authorization", "Bearer " + secret).status()
                    == 401);
    Cli refused = cli("token", "create", "--scopes", "root");
    assertThat(refused.status()).isEqualTo(2);
    assertThat(refused.err()).contains("scopes[0]: \"root\" is not one of");
  }

  @Test
  void everyEndpointInTheOpenApiDocumentRefusesEveryCallerItMust() throws Exception {
    SlowRun slow = startSlowRun("matrix");
    try {
      refusesEveryCallerItMust(slow.repo(), slow.runId());
    } finally {
      cancel(slow.runId());
    }
  }

  private void refusesEveryCallerItMust(String repo, long runId) throws Exception {
    String expired = tokenExpiringSoon();
    Map<String, String> allBut = new LinkedHashMap<>();
    for (String scope : List.of("read", "trigger", "cancel", "admin")) {
      List<String> rest =
          new ArrayList<>(List.of("read", "trigger", "cancel", "urgent", "metrics"));
      rest.remove(scope);
      allBut.put(scope, token("all-but-" + scope, rest, List.of()));
    }
    String otherRepository =
        token(
            "other-repository", List.of("read", "trigger", "cancel"), List.of(repo + ".elsewhere"));
    long victim =
        JSON.readTree(
                strict
                    .send(
                        "POST",
                        "/tokens",
                        "{\"name\": \"victim\", \"scopes\": [\"read\"]}",
                        "Authorization",
                        "Bearer " + admin)
                    .body())
            .path("id")
            .asLong();
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiresAt(expired)));

    JsonNode document =
        JSON.readTree(
            strict.send("GET", "/v3/api-docs", null, "Authorization", "Bearer " + admin).body());
    Map<String, Row> table = table(repo, runId, victim);
    List<String> documented = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + path.getKey()));
    }
    // Forge webhooks take no token: each delivery is checked against its repository's secret.
    List<String> hooks = documented.stream().filter(e -> e.startsWith("POST /hooks/")).toList();
    documented.removeAll(hooks);
    assertThat(hooks)
        .containsExactlyInAnyOrder("POST /hooks/github", "POST /hooks/gitlab", "POST /hooks/gitea");
    for (String hook : hooks) {
      RawHttp.Response unsigned =
          strict.send(
              "POST", hook.substring("POST ".length()), "{}", "Authorization", "Bearer " + admin);
      assertThat(unsigned.status()).as(hook + " with a token but no signature").isIn(400, 401);
    }
    // a row with a query is another handler of a documented operation (the log search)
    assertThat(table.keySet().stream().filter(k -> !k.contains("?")).toList())
        .as("a row for every endpoint of the OpenAPI document, and nothing else")
        .containsExactlyInAnyOrderElementsOf(documented);
    assertThat(table.keySet().stream().filter(k -> k.contains("?")).map(k -> k.split("\\?")[0]))
        .as("rows with a query are of documented operations")
        .isSubsetOf(documented);

    for (Map.Entry<String, Row> entry : table.entrySet()) {
      String key = entry.getKey();
      Row row = entry.getValue();
      expect(key + ", no token", send(row, null), 401, "missing bearer token");
      expect(
          key + ", wrong token", send(row, "Bearer kiln_" + "1".repeat(43)), 401, "unknown token");
      expect(key + ", expired token", send(row, "Bearer " + expired), 401, "expired at");
      expect(
          key + ", no scope " + row.scope(),
          send(row, "Bearer " + allBut.get(row.scope())),
          403,
          "lacks scope \"" + row.scope() + "\"");
      RawHttp.Response other = send(row, "Bearer " + otherRepository);
      if (row.aboutOneRun()) {
        expect(
            key + ", another repository", other, 403, "repository " + repo + " (its repositories:");
      } else if (!row.scope().equals("admin")) {
        assertThat(other.body()).as(key + ", another repository").doesNotContain(repo);
      }
    }

    JsonNode run =
        JSON.readTree(
            strict.send("GET", "/runs/" + runId, null, "Authorization", "Bearer " + admin).body());
    assertThat(run.path("result").asText()).as("nobody refused cancelled it").isEqualTo("building");
    assertThat(run.path("cancelled_by").isNull()).isTrue();
    assertThat(local.get("/runs?repo=" + repo).json().path("runs").size())
        .as("nobody refused started a build")
        .isEqualTo(1);
    assertThat(strict.send("GET", "/tokens", null, "Authorization", "Bearer " + admin).body())
        .doesNotContain("must-not-exist")
        .contains("\"name\":\"victim\"");
  }

  @Test
  void noSpellingOfInternalOrTokensPathsGetsThroughTheStrictApi() throws Exception {
    String reader = token("spelling-reader", List.of("read"), List.of());
    List<String> internal =
        List.of(
            "//internal/archs/x86_64/served",
            "/internal//archs/x86_64/served",
            "/internal%2farchs/x86_64/served",
            "/internal;x=1/archs/x86_64/served",
            "/internal/archs/x86_64/served;x=1",
            "/INTERNAL/archs/x86_64/served",
            "/Internal/archs/x86_64/served",
            "/internal/archs/x86_64/served/",
            "/runs/../internal/archs/x86_64/served",
            "/internal/x/../archs/x86_64/served",
            "/%69nternal/archs/x86_64/served");
    for (String path : internal) {
      RawHttp.Response response =
          strict.send("GET", path, null, "Authorization", "Bearer " + admin);
      assertThat(response.status()).as(path + " " + response.body()).isIn(400, 401, 404);
      assertThat(response.body()).as(path).doesNotContain("\"served\"");
    }
    List<String> tokens =
        List.of(
            "//tokens",
            "/tokens/",
            "/TOKENS",
            "/Tokens",
            "/tokens;x=1",
            "/%74okens",
            "/runs/../tokens",
            "/x/..;/tokens",
            "/tokens%2f",
            "/./tokens");
    for (String path : tokens) {
      for (String auth : new String[] {null, "Bearer " + reader}) {
        String[] headers = auth == null ? new String[0] : new String[] {"Authorization", auth};
        RawHttp.Response list = strict.send("GET", path, null, headers);
        assertThat(list.status()).as(path + " " + list.body()).isIn(400, 401, 403, 404, 405);
        assertThat(list.body()).as(path).doesNotContain("\"tokens\"");
        RawHttp.Response make =
            strict.send("POST", path, "{\"name\": \"sneaky\", \"scopes\": [\"admin\"]}", headers);
        assertThat(make.status()).as(path + " " + make.body()).isIn(400, 401, 403, 404, 405);
      }
    }
    assertThat(strict.send("GET", "/tokens", null, "Authorization", "Bearer " + admin).body())
        .doesNotContain("sneaky");
  }

  @Test
  void onlyATokenWithCancelOnTheRunsRepositoryEndsItAndTheRunViewSaysWhoStartedAndEndedIt()
      throws Exception {
    String repo = slowRepository("who-ends");
    String elsewhere = fixtures.repository("c-make", Map.of());
    String ci = token("ci-lane", List.of("trigger", "read"), List.of(repo));
    String otherTeam =
        token("other-team", List.of("trigger", "cancel", "read"), List.of(elsewhere));
    String ops = token("ops", List.of("cancel", "read"), List.of(repo));

    RawHttp.Response started =
        strict.send("POST", "/rebuild", slowBuild(repo), "Authorization", "Bearer " + ci);
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    long runId = JSON.readTree(started.body()).path("run_id").asLong();
    try {
      refusedThenCancelled(repo, elsewhere, runId, otherTeam, ops);
    } finally {
      cancel(runId);
    }
  }

  private void refusedThenCancelled(
      String repo, String elsewhere, long runId, String otherTeam, String ops) throws Exception {
    awaitPhase(runId, "compiling");
    RawHttp.Response notTheirs =
        strict.send(
            "PUT",
            "/build-jobs/" + runId + "/cancel",
            "{}",
            "Authorization",
            "Bearer " + otherTeam);
    assertThat(notTheirs.status()).isEqualTo(403);
    assertThat(detail(notTheirs))
        .isEqualTo(
            "token \""
                + NAMES.get(otherTeam)
                + "\" may not cancel runs of repository "
                + repo
                + " (its repositories: "
                + elsewhere
                + ")");
    RawHttp.Response supersede =
        strict.send(
            "POST",
            "/rebuild",
            "{\"repo\": \"" + repo + "\", \"ref\": \"main\"}",
            "Authorization",
            "Bearer " + otherTeam);
    assertThat(supersede.status()).isEqualTo(403);
    assertThat(detail(supersede))
        .startsWith(
            "token \"" + NAMES.get(otherTeam) + "\" may not trigger builds of repository " + repo);
    JsonNode still = local.get("/runs/" + runId).json();
    assertThat(still.path("result").asText()).isEqualTo("building");
    assertThat(still.path("phase").asText()).isEqualTo("compiling");
    assertThat(still.path("triggered_by").asText()).startsWith("ci-lane-");

    RawHttp.Response cancelled =
        strict.send(
            "PUT",
            "/build-jobs/" + runId + "/cancel",
            "{\"reason\": \"someone else\"}",
            "Authorization",
            "Bearer " + ops);
    assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(202);
    JsonNode ended = local.awaitEnd(runId, BUILD_TIMEOUT);
    assertThat(ended.path("result").asText()).isEqualTo("cancelled");
    assertThat(ended.path("cancelled_by").asText()).isEqualTo(NAMES.get(ops));
    assertThat(ended.path("triggered_by").asText()).startsWith("ci-lane-");
  }

  @Test
  void twoHundredRebuildsInASecondFromOneTokenAreAcceptedUpToItsBudgetAndTheAcceptedOnesRun()
      throws Exception {
    String repo =
        fixtures.repository("c-make", Map.of("kiln.yaml", "compile:\n  - run: echo built\n"));
    String ci = token("ci-burst", List.of("trigger", "read"), List.of(repo));
    String body = "{\"repo\": \"" + repo + "\", \"ref\": \"main\", \"supersede\": false}";

    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    long began = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      sent.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + strictPort + "/rebuild"))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + ci)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
      // 200 in one second
      long due = began + TimeUnit.MILLISECONDS.toNanos(5L * (i + 1));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    long sentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    List<Long> accepted = new ArrayList<>();
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> future : sent) {
      HttpResponse<String> response = future.get(90, TimeUnit.SECONDS);
      if (response.statusCode() == 202) {
        accepted.add(JSON.readTree(response.body()).path("run_id").asLong());
      } else {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        refused++;
      }
    }
    System.out.printf(
        "200 rebuilds sent in %d ms from one token (all answered after %d ms): %d accepted, %d"
            + " refused with 429%n",
        sentMillis,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began),
        accepted.size(),
        refused);
    // the budget is 20 at once, refilled at one every 3 s
    assertThat(accepted.size()).isBetween(REBUILDS_PER_MINUTE, REBUILDS_PER_MINUTE + 2);
    assertThat(accepted.size() + refused).isEqualTo(200);

    List<Long> recorded = new ArrayList<>();
    for (JsonNode run : local.get("/runs?limit=200&repo=" + repo).json().path("runs")) {
      recorded.add(run.path("run_id").asLong());
    }
    assertThat(recorded)
        .as("one run per 202, none for a 429")
        .containsExactlyInAnyOrderElementsOf(accepted);
    for (long runId : accepted) {
      JsonNode run = local.awaitEnd(runId, BUILD_TIMEOUT);
      assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
    }
  }

  @Test
  void twoThousandLogStreamsFromOneTokenGetItsLimitAndTheApiServesOthersMeanwhile()
      throws Exception {
    SlowRun slow = startSlowRun("streams");
    try {
      twoThousandStreams(slow.runId());
    } finally {
      cancel(slow.runId());
    }
  }

  private void twoThousandStreams(long runId) throws Exception {
    String reader = token("stream-hog", List.of("read"), List.of());
    String metrics = token("scraper", List.of("metrics", "read"), List.of());
    String request =
        "GET /runs/"
            + runId
            + "/logs HTTP/1.1\r\nHost: 127.0.0.1:"
            + strictPort
            + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer "
            + reader
            + "\r\n\r\n";

    List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        done.add(
            pool.submit(
                () -> {
                  Socket socket = new Socket("127.0.0.1", strictPort);
                  socket.setSoTimeout(60_000);
                  socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                  String head = head(socket.getInputStream());
                  int status = Integer.parseInt(head.split(" ")[1]);
                  statuses.add(status);
                  if (status == 200) {
                    open.add(socket);
                  } else {
                    assertThat(head).contains("Retry-After: 10");
                    socket.close();
                  }
                  return null;
                }));
      }
      long during = System.nanoTime();
      RawHttp.Response other =
          strict.send("GET", "/runs/" + runId, null, "Authorization", "Bearer " + metrics);
      long otherMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - during);
      for (Future<?> future : done) {
        future.get(2, TimeUnit.MINUTES);
      }
      // A stream the api ended meanwhile (its socket at end of stream) gave its place to a later
      // request, rightly: the limit is on streams open at once, not on streams ever opened.
      long endedByTheApi = open.stream().filter(TrustEndToEndIT::endedByTheServer).count();
      System.out.printf(
          "2000 log streams from one token: %d accepted, %d of them ended by the api meanwhile, %d"
              + " refused; another token's run view meanwhile in %d ms%n",
          open.size(), endedByTheApi, statuses.stream().filter(s -> s == 429).count(), otherMillis);
      assertThat(other.status()).isEqualTo(200);
      assertThat(open.size() - endedByTheApi).isEqualTo(STREAMS_PER_TOKEN);
      assertThat(statuses.stream().filter(s -> s == 429).count()).isEqualTo(2000 - open.size());
      assertThat(openStreams(strict, metrics)).isEqualTo(STREAMS_PER_TOKEN);
    } finally {
      for (Socket socket : open) {
        socket.close();
      }
      pool.shutdownNow();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> openStreams(strict, metrics) == 0);
  }

  @Test
  void twoHundredFollowersThatDoNotReadA64MibLogHoldBoundedHeap() throws Exception {
    // 70 MB of output: the log stops at the 64 MiB cap
    // (yes ends with SIGPIPE, which pipefail would count as the compile failing)
    String compile =
        "yes 'a line of build output, long enough to fill the log quickly' | head -c 70000000"
            + " || true";
    String repo =
        fixtures.repository(
            "c-make", Map.of("kiln.yaml", "compile:\n  - run: \"sleep 3; " + compile + "\"\n"));
    long before = usedHeapKib(stack.pid());
    long runId =
        local.rebuild(Map.of("repo", repo, "supersede", false)).json().path("run_id").asLong();
    String request =
        "GET /runs/"
            + runId
            + "/logs HTTP/1.1\r\nHost: 127.0.0.1:"
            + stack.apiPort
            + "\r\nAccept: text/event-stream\r\n\r\n";
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        Socket socket = new Socket();
        // a small window: what the kernel holds for a client that does not read stays small
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", stack.apiPort));
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        stalled.add(socket);
      }
      JsonNode run = local.awaitEnd(runId, BUILD_TIMEOUT);
      assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("passed");
      String plain = local.get("/runs/" + runId + "/logs").body();
      assertThat(plain.length()).isGreaterThan(60 * 1024 * 1024);
      assertThat(openStreams(dev, null)).as("the stalled followers' streams").isEqualTo(200);
      long during = usedHeapKib(stack.pid());
      double growthMib = (during - before) / 1024.0;
      System.out.printf(
          "200 followers that do not read a %.1f MiB log: heap used after full GC %.1f MiB before,"
              + " %.1f MiB while they stall: growth %.1f MiB%n",
          plain.length() / 1048576.0, before / 1024.0, during / 1024.0, growthMib);
      assertThat(growthMib).as("heap growth, MiB").isLessThan(256);
      // a client that reads nothing is cut off by the connection's write timeout
      long stallFrom = System.nanoTime();
      await().atMost(Duration.ofMinutes(3)).until(() -> openStreams(dev, null) == 0);
      System.out.printf(
          "the stalled followers were cut off %d s after the heap was measured%n",
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stallFrom));
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
  }

  @Test
  void pagesCarryTheirSecurityHeadersAndTemporalLinksComeFromConfigurationNotTheHost()
      throws Exception {
    String repo = fixtures.repository("c-make", Map.of());
    String ci = token("ci-links", List.of("trigger", "read"), List.of(repo));
    RawHttp.Response started =
        strict.send(
            "POST",
            "/rebuild",
            "{\"repo\": \"" + repo + "\", \"supersede\": false}",
            "Authorization",
            "Bearer " + ci,
            "Host",
            "phish.example");
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    long runId = JSON.readTree(started.body()).path("run_id").asLong();

    RawHttp.Response page = dev.send("GET", "/runs/" + runId, null, "Accept", "text/html");
    assertThat(page.status()).isEqualTo(200);
    Matcher nonce =
        Pattern.compile("script-src 'nonce-([A-Za-z0-9+/=]+)'")
            .matcher(page.header("Content-Security-Policy"));
    assertThat(nonce.find()).isTrue();
    assertThat(page.header("Content-Security-Policy"))
        .startsWith("default-src 'none'")
        .contains("frame-ancestors 'none'");
    assertThat(page.body()).contains("<script nonce=\"" + nonce.group(1) + "\">");
    assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
    RawHttp.Response json =
        strict.send("GET", "/runs/" + runId, null, "Authorization", "Bearer " + ci);
    assertThat(json.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(json.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(strict.send("GET", "/nope", null).header("X-Content-Type-Options"))
        .isEqualTo("nosniff");

    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(stack.temporalAddress()).build());
    try {
      WorkflowClient client =
          WorkflowClient.newInstance(
              service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
      String details =
          client.newUntypedWorkflowStub("kiln-run-" + runId).describe().getStaticDetails();
      assertThat(details)
          .contains("(http://localhost:" + strictPort + "/runs/" + runId + ")")
          .doesNotContain("phish.example");
    } finally {
      service.shutdownNow();
    }
    local.awaitEnd(runId, BUILD_TIMEOUT);
  }

  // --- helpers

  /** A row of the table: what to send and the scope it needs. */
  record Row(
      String scope,
      boolean aboutOneRun,
      String method,
      String path,
      String body,
      String accept,
      String contentType) {

    /** A row whose body, if any, goes as JSON (the strict client's default). */
    Row(String scope, boolean aboutOneRun, String method, String path, String body, String accept) {
      this(scope, aboutOneRun, method, path, body, accept, null);
    }
  }

  private static Map<String, Row> table(String repo, long runId, long victim) {
    String run = "/runs/" + runId;
    Map<String, Row> t = new LinkedHashMap<>();
    t.put(
        "POST /rebuild",
        new Row("trigger", true, "POST", "/rebuild", "{\"repo\": \"" + repo + "\"}", null));
    t.put("GET /runs/{id}", new Row("read", true, "GET", run, null, null));
    t.put("GET /runs", new Row("read", false, "GET", "/runs", null, null));
    t.put(
        "GET /runs/{id}/logs",
        new Row("read", true, "GET", run + "/logs", null, "text/event-stream"));
    t.put(
        "GET /runs/{id}/logs?grep",
        new Row("read", true, "GET", run + "/logs?grep=error", null, null));
    t.put("GET /", new Row("read", false, "GET", "/", null, "text/html"));
    t.put("GET /runs/{id}/artifacts", new Row("read", true, "GET", run + "/artifacts", null, null));
    t.put(
        "GET /runs/{id}/artifacts/{path}",
        new Row("read", true, "GET", run + "/artifacts/a.out", null, null));
    t.put("GET /state", new Row("read", false, "GET", "/state", null, null));
    t.put("GET /mr-task/{mr}", new Row("read", false, "GET", "/mr-task/1", null, null));
    t.put(
        "PUT /build-jobs/{id}/cancel",
        new Row("cancel", true, "PUT", "/build-jobs/" + runId + "/cancel", "{}", null));
    t.put(
        "GET /build-jobs/queue/status",
        new Row("read", false, "GET", "/build-jobs/queue/status", null, null));
    t.put(
        "POST /tokens",
        new Row(
            "admin",
            false,
            "POST",
            "/tokens",
            "{\"name\": \"must-not-exist\", \"scopes\": [\"admin\"]}",
            null));
    t.put("GET /tokens", new Row("admin", false, "GET", "/tokens", null, null));
    t.put("GET /runs/{id}/tests", new Row("read", true, "GET", run + "/tests", null, null));
    t.put("POST /runs/{id}/retry", new Row("trigger", true, "POST", run + "/retry", "{}", null));
    String registered = "{\"url\": \"https://git.example.com/team/must-not-exist.git\"}";
    t.put("POST /repos", new Row("admin", false, "POST", "/repos", registered, null));
    t.put("GET /repos", new Row("admin", false, "GET", "/repos", null, null));
    t.put("GET /repos/{id}", new Row("admin", false, "GET", "/repos/1", null, null));
    t.put("PATCH /repos/{id}", new Row("admin", false, "PATCH", "/repos/1", "{}", null));
    t.put("DELETE /repos/{id}", new Row("admin", false, "DELETE", "/repos/1", null, null));
    t.put("POST /repos/{id}/poll", new Row("admin", false, "POST", "/repos/1/poll", null, null));
    t.put(
        "GET /repos/{id}/secrets", new Row("admin", false, "GET", "/repos/1/secrets", null, null));
    t.put(
        "GET /repos/{id}/flaky-tests",
        new Row("read", false, "GET", "/repos/1/flaky-tests", null, null));
    t.put(
        "PUT /repos/{id}/secrets/{name}",
        new Row("admin", false, "PUT", "/repos/1/secrets/DEPLOY_TOKEN", "must-not-be-set", null));
    t.put(
        "DELETE /repos/{id}/secrets/{name}",
        new Row("admin", false, "DELETE", "/repos/1/secrets/DEPLOY_TOKEN", null, null));
    t.put(
        "POST /submissions",
        new Row(
            "trigger", false, "POST", "/submissions", "bundle", null, "application/x-git-bundle"));
    t.put("GET /workers", new Row("read", false, "GET", "/workers", null, null));
    t.put(
        "PUT /workers/{host}/drain",
        new Row("admin", false, "PUT", "/workers/host-x/drain", null, null));
    t.put(
        "DELETE /workers/{host}/drain",
        new Row("admin", false, "DELETE", "/workers/host-x/drain", null, null));
    t.put(
        "DELETE /tokens/{id}", new Row("admin", false, "DELETE", "/tokens/" + victim, null, null));
    return t;
  }

  private static RawHttp.Response send(Row row, String authorization) {
    List<String> headers = new ArrayList<>();
    if (authorization != null) {
      headers.addAll(List.of("Authorization", authorization));
    }
    if (row.accept() != null) {
      headers.addAll(List.of("Accept", row.accept()));
    }
    if (row.contentType() != null) {
      headers.addAll(List.of("Content-Type", row.contentType()));
    }
    return strict.send(row.method(), row.path(), row.body(), headers.toArray(String[]::new));
  }

  private static void expect(String what, RawHttp.Response response, int status, String detail) {
    assertThat(response.status()).as(what + ": " + response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
    assertThat(detail(response)).as(what).contains(detail);
    if (status == 401) {
      assertThat(response.header("WWW-Authenticate")).as(what).startsWith("Bearer realm=\"kiln\"");
    }
  }

  private static String detail(RawHttp.Response response) {
    try {
      return JSON.readTree(response.body()).path("detail").asText();
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** Made with the installation's first admin token, on the strict api. */
  private static String token(String name, List<String> scopes, List<String> repos)
      throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    String unique = name + "-" + System.nanoTime();
    body.put("name", unique);
    body.put("scopes", scopes);
    body.put("repos", repos);
    RawHttp.Response made =
        strict.send(
            "POST", "/tokens", JSON.writeValueAsString(body), "Authorization", "Bearer " + admin);
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    String secret = JSON.readTree(made.body()).path("token").asText();
    NAMES.put(secret, unique);
    return secret;
  }

  private static final Map<String, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();
  private static final Map<String, Instant> EXPIRIES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static String tokenExpiringSoon() throws IOException {
    Instant at = Instant.now().plusSeconds(3);
    RawHttp.Response made =
        strict.send(
            "POST",
            "/tokens",
            "{\"name\": \"expiring-"
                + System.nanoTime()
                + "\", \"scopes\": [\"admin\"], \"expires_at\": \""
                + at
                + "\"}",
            "Authorization",
            "Bearer " + admin);
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    String secret = JSON.readTree(made.body()).path("token").asText();
    EXPIRIES.put(secret, at);
    return secret;
  }

  private static Instant expiresAt(String secret) {
    return EXPIRIES.get(secret);
  }

  /** A rebuild of main in its lane: a newer rebuild of the lane would supersede it. */
  private static String slowBuild(String repo) {
    return "{\"repo\": \"" + repo + "\", \"ref\": \"main\"}";
  }

  /** A repository whose compile sleeps for ten minutes (and stops at SIGTERM). */
  private static String slowRepository(String label) throws Exception {
    return fixtures.repository(
        "c-make", Map.of("kiln.yaml", "compile:\n  - run: \"echo " + label + "; sleep 600\"\n"));
  }

  record SlowRun(String repo, long runId) {}

  /**
   * A run that compiles until cancelled, started from loopback. It holds the stack's one build
   * slot: cancel it when done.
   */
  private static SlowRun startSlowRun(String label) throws Exception {
    String repo = slowRepository(label);
    long runId =
        local.rebuild(Map.of("repo", repo, "supersede", false)).json().path("run_id").asLong();
    awaitPhase(runId, "compiling");
    return new SlowRun(repo, runId);
  }

  private static void awaitPhase(long runId, String phase) {
    await()
        .atMost(BUILD_TIMEOUT)
        .until(() -> phase.equals(local.get("/runs/" + runId).json().path("phase").asText()));
  }

  private static void cancel(long runId) throws Exception {
    dev.send("PUT", "/build-jobs/" + runId + "/cancel", "{}");
    local.awaitEnd(runId, BUILD_TIMEOUT);
  }

  /** Whether the server closed the socket: what it sent so far is read, then end of stream. */
  private static boolean endedByTheServer(Socket socket) {
    try {
      socket.setSoTimeout(50);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      while (true) {
        if (in.read(buffer) < 0) {
          return true;
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** {@code kiln_log_streams} of an api; {@code metricsToken} null: loopback trust. */
  private static long openStreams(RawHttp api, String metricsToken) {
    String metrics =
        metricsToken == null
            ? api.send("GET", "/actuator/prometheus", null).body()
            : api.send(
                    "GET", "/actuator/prometheus", null, "Authorization", "Bearer " + metricsToken)
                .body();
    Matcher gauge =
        Pattern.compile("(?m)^kiln_log_streams(?:\\{[^}]*})? ([0-9.]+)").matcher(metrics);
    assertThat(gauge.find())
        .as("kiln_log_streams in " + metrics.length() + " bytes of metrics")
        .isTrue();
    return (long) Double.parseDouble(gauge.group(1));
  }

  /** The status line and headers of a response, read byte by byte up to the blank line. */
  private static String head(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return head.toString();
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  /** Used heap of the dev stack's JVM (api and worker) after a full GC, in KiB. */
  private static long usedHeapKib(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher used = USED.matcher(info);
    assertThat(used.find()).as(info).isTrue();
    return Long.parseLong(used.group(1));
  }

  private static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process process =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** {@code java -jar kiln-dev.jar …} with the stack's dev-stack.env, as a developer runs it. */
  record Cli(int status, String out, String err) {}

  private static Cli cli(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(Path.of("target", "kiln-dev.jar").toAbsolutePath().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(n -> n.startsWith("KILN_") || n.startsWith("SPRING_"));
    builder.environment().put("KILN_HOME", stack.home.toString());
    Path out = Files.createTempFile(temp, "cli", ".out");
    Path err = Files.createTempFile(temp, "cli", ".err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Cli(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
