package dev.kiln.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build secrets on the real dev stack, in the sandbox: a step prints its secrets plain, in base64,
 * URL-encoded and (a two-line secret) across two lines; the stored log and the live stream hold
 * only {@code ***} for them, while digests the step printed prove it saw the right values. The
 * public API lists the names, never the values; a step naming a secret the repository lacks fails
 * with a summary that says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsEndToEndIT {

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

  /** Characters that URL encoding and base64 both change; unique per run of the test. */
  static final String TOKEN =
      "e2e/T0k+3n=with spaces&more-" + UUID.randomUUID().toString().substring(0, 8);

  static final String KEY = "first-line-of-the-key\nsecond-line-of-the-key";

  static final String PRINTS_ITS_SECRETS =
      """
      compile:
        - run: |
            urlencode() { local s="$1" i c; for ((i = 0; i < ${#s}; i++)); do c="${s:i:1}"; case "$c" in [a-zA-Z0-9._-]) printf '%s' "$c" ;; *) printf '%%%02X' "'$c" ;; esac; done; echo; }
            echo "plain: $DEPLOY_TOKEN"
            printf '%s' "$DEPLOY_TOKEN" | base64
            echo "$DEPLOY_TOKEN" | base64
            echo "url: $(urlencode "$DEPLOY_TOKEN")"
            echo "$SIGNING_KEY"
            echo "token digest: $(printf '%s' "$DEPLOY_TOKEN" | sha256sum | cut -d' ' -f1)"
            echo "key digest: $(printf '%s' "$SIGNING_KEY" | sha256sum | cut -d' ' -f1)"
          secrets: [DEPLOY_TOKEN, SIGNING_KEY]
        - run: |
            echo "unnamed step: [${DEPLOY_TOKEN:-none}]"
      gates:
        - name: check
          run: |
            printf '%s' "$DEPLOY_TOKEN" | sha256sum | grep -q TOKEN_DIGEST
          secrets: [DEPLOY_TOKEN]
        - name: leaky
          required: false
          reports: ["reports/TEST-*.xml"]
          secrets: [DEPLOY_TOKEN]
          run: |
            mkdir -p reports
            printf '<testsuite name="leaky" tests="1" failures="1"><testcase classname="Leaky" name="printsIt"><failure message="token was %s">boom</failure></testcase></testsuite>' "${DEPLOY_TOKEN//&/&amp;}" > reports/TEST-leaky.xml
            echo "gate sees: $DEPLOY_TOKEN"
            exit 1
      """;

  static final String NAMES_AN_UNSET_SECRET =
      """
      compile:
        - run: echo "never runs"
          secrets: [DEPLOY_TOKEN, NOT_SET_TOKEN]
      """;

  @TempDir static Path temp;
  static DevStackProcess stack;
  static KilnHttp api;

  @BeforeAll
  static void startStack() throws Exception {
    stack = DevStackProcess.start(temp.resolve("kiln-home"));
    api = new KilnHttp(stack.baseUrl());
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.stopLeavingNothingBehind();
    }
  }

  @Test
  void aStepSeesItsSecretsButTheLogAndTheStreamShowOnlyStars() throws Exception {
    String repo = project("secrets", PRINTS_ITS_SECRETS.replace("TOKEN_DIGEST", sha256(TOKEN)));
    long repoId = register(repo);
    assertThat(api.putText("/repos/" + repoId + "/secrets/DEPLOY_TOKEN", TOKEN).status())
        .isEqualTo(201);
    assertThat(api.putText("/repos/" + repoId + "/secrets/SIGNING_KEY", KEY).status())
        .isEqualTo(201);

    long runId = rebuild(repo);
    List<SseClient.Event> events = new ArrayList<>();
    try (SseClient follower = SseClient.open(logsUrl(runId), null)) {
      readToEnd(follower, events);
    }
    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);
    String stored = plainLog(runId, "compile");
    String streamed = streamedText(events, "compile");

    assertThat(run.path("result").asText()).as(run + "\n" + stored).isEqualTo("passed");
    assertThat(stored).isEqualTo(streamed);
    assertThat(stored)
        .contains("plain: ***\n", "url: ***\n", "\n***\n***\n")
        .contains("token digest: " + sha256(TOKEN), "key digest: " + sha256(KEY))
        .contains("unnamed step: [none]");
    assertThat(countOf(stored, "***\n")).as(stored).isEqualTo(6);
    for (String log : List.of(plainLog(runId, null), streamedText(events, null))) {
      assertThat(log)
          .doesNotContain(TOKEN)
          .doesNotContain(base64(TOKEN))
          .doesNotContain(base64(TOKEN + "\n"))
          .doesNotContain(URLEncoder.encode(TOKEN, StandardCharsets.UTF_8).replace("+", "%20"))
          .doesNotContain("first-line-of-the-key")
          .doesNotContain("second-line-of-the-key");
    }

    // a gate's summary and test results come from report files, read apart from its output
    assertThat(plainLog(runId, "gate:leaky")).contains("gate sees: ***\n").doesNotContain(TOKEN);
    assertThat(run.toString()).contains("leaky").doesNotContain(TOKEN);
    KilnHttp.Answer tests = api.get("/runs/" + runId + "/tests");
    assertThat(tests.body()).as(tests.body()).contains("printsIt").doesNotContain(TOKEN);

    KilnHttp.Answer listed = api.get("/repos/" + repoId + "/secrets");
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.json().path("secrets").findValuesAsText("name"))
        .containsExactly("DEPLOY_TOKEN", "SIGNING_KEY");
    assertThat(listed.body()).doesNotContain(TOKEN).doesNotContain("first-line-of-the-key");
  }

  @Test
  void aStepNamingASecretTheRepositoryLacksFailsSayingWhich() throws Exception {
    String repo = project("unset-secret", NAMES_AN_UNSET_SECRET);
    long repoId = register(repo);
    assertThat(api.putText("/repos/" + repoId + "/secrets/DEPLOY_TOKEN", TOKEN).status())
        .isEqualTo(201);

    long runId = rebuild(repo);
    JsonNode run = api.awaitEnd(runId, BUILD_TIMEOUT);

    assertThat(run.path("result").asText()).as(run.toString()).isEqualTo("failed");
    assertThat(run.path("failure_summary").asText())
        .isEqualTo("secret NOT_SET_TOKEN is not set for this repository");
    assertThat(plainLog(runId, null))
        .contains("secret NOT_SET_TOKEN is not set for this repository")
        .doesNotContain("never runs\n")
        .doesNotContain(TOKEN);
  }

  private static String project(String label, String kilnYaml) throws Exception {
    return new GitFixtures(temp.resolve("repos")).project(label, Map.of("kiln.yaml", kilnYaml));
  }

  private static long register(String repo) throws Exception {
    KilnHttp.Answer registered = api.post("/repos", "{\"url\": \"" + repo + "\"}");
    assertThat(registered.status()).as(registered.body()).isEqualTo(201);
    return registered.json().path("id").asLong();
  }

  private static long rebuild(String repo) throws Exception {
    KilnHttp.Answer accepted = api.rebuild(Map.of("repo", repo));
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    return accepted.json().path("run_id").asLong();
  }

  private static String logsUrl(long runId) {
    return stack.baseUrl() + "/runs/" + runId + "/logs";
  }

  /** {@code GET /runs/{id}/logs} as text/plain, of one step or (null) the whole log. */
  private static String plainLog(long runId, String step) throws Exception {
    String query = step == null ? "" : "?step=" + step;
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(logsUrl(runId) + query))
                    .header("Accept", "text/plain")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static void readToEnd(SseClient client, List<SseClient.Event> into) throws Exception {
    SseClient.Event event;
    while ((event = client.next()) != null) {
      into.add(event);
      if (event.name().equals("end")) {
        return;
      }
    }
    throw new AssertionError("the stream ended without an end event");
  }

  /** The texts of the stream's log events of {@code step} (all steps when null), joined. */
  private static String streamedText(List<SseClient.Event> events, String step) {
    StringBuilder text = new StringBuilder();
    for (SseClient.Event event : events) {
      if (event.name().equals("log")
          && (step == null || step.equals(event.json().path("step").asText()))) {
        text.append(event.json().path("text").asText());
      }
    }
    return text.toString();
  }

  private static int countOf(String text, String part) {
    int count = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      count++;
    }
    return count;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
