package dev.kiln.api.secrets;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.auth.ApiTokens;
import dev.kiln.api.auth.RepoPatterns;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.RawHttp;
import dev.kiln.api.support.StrictApi;
import dev.kiln.workflows.Result;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /repos/{id}/secrets} and {@code /internal/runs/{id}/secrets} over HTTP, against
 * PostgreSQL: values go in and never come out of the public API, and a run's step gets them.
 */
class SecretsIT extends StrictApi {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String VALUE = "tok-3f9a7c1e-very-secret";

  @Autowired ApiTokens tokens;
  @Autowired RunRepository runs;
  @Autowired JdbcClient jdbc;

  RawHttp http;
  String admin;
  String url;
  long repoId;

  @BeforeEach
  void registerARepository() {
    http = new RawHttp(port);
    admin =
        tokens
            .create(
                "secrets-admin-" + System.nanoTime(),
                Set.of(Scope.ADMIN),
                RepoPatterns.any(),
                null,
                "test")
            .secret();
    url = "https://git.example.com/team/secrets-" + System.nanoTime() + ".git";
    RawHttp.Response made = send("POST", "/repos", "{\"url\": \"" + url + "\"}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    repoId = JSON.readTree(made.body()).path("id").asLong();
  }

  @Test
  void aSecretIsSetReplacedListedByNameAndNeverReadBack() {
    RawHttp.Response created = putSecret("DEPLOY_TOKEN", "first-" + VALUE);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    RawHttp.Response replaced = putSecret("DEPLOY_TOKEN", VALUE);
    assertThat(replaced.status()).as(replaced.body()).isEqualTo(204);

    RawHttp.Response listed = send("GET", "/repos/" + repoId + "/secrets", null);
    assertThat(listed.status()).isEqualTo(200);
    JsonNode secrets = JSON.readTree(listed.body()).path("secrets");
    assertThat(secrets).hasSize(1);
    assertThat(secrets.get(0).path("name").asString()).isEqualTo("DEPLOY_TOKEN");
    assertThat(secrets.get(0).path("updated_at").asString()).isNotEmpty();
    assertThat(secrets.get(0).path("updated_by").asString()).startsWith("secrets-admin-");
    assertThat(listed.body()).doesNotContain(VALUE).doesNotContain("value");
    assertThat(send("GET", "/repos/" + repoId, null).body()).doesNotContain(VALUE);

    byte[] stored =
        jdbc.sql("SELECT ciphertext FROM repo_secrets WHERE repo_id = :id")
            .param("id", repoId)
            .query(byte[].class)
            .single();
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("tok-");

    assertThat(send("DELETE", "/repos/" + repoId + "/secrets/DEPLOY_TOKEN", null).status())
        .isEqualTo(204);
    assertThat(
            JSON.readTree(send("GET", "/repos/" + repoId + "/secrets", null).body())
                .path("secrets"))
        .isEmpty();
  }

  @Test
  void badNamesEmptyOrHugeValuesAndUnknownRepositoriesAreProblemsThatSayWhy() {
    assertProblem(
        putSecret("1TOKEN", VALUE),
        400,
        "secret name \"1TOKEN\" must be an environment variable name: letters, digits and _, not"
            + " starting with a digit");
    assertProblem(
        putSecret("KILN_TOKEN", VALUE),
        400,
        "secret name \"KILN_TOKEN\" must not start with KILN_: those names are reserved for Kiln");
    assertProblem(
        putSecret("LD_PRELOAD", VALUE),
        400,
        "secret name \"LD_PRELOAD\" is read by the dynamic loader or the C library of the programs"
            + " that start a step outside its sandbox, so a build may not set it");
    assertProblem(putSecret("EMPTY", ""), 400, "the body must be the secret's value; it is empty");
    assertProblem(
        putSecret("HUGE", "x".repeat(RepoSecrets.MAX_VALUE_BYTES + 1)),
        413,
        "a secret's value is at most 16384 bytes; this one is 16385");
    assertProblem(
        send("PUT", "/repos/999999999/secrets/A_TOKEN", VALUE, "Content-Type", "text/plain"),
        404,
        "repository 999999999 is not registered");
    assertProblem(
        send("DELETE", "/repos/" + repoId + "/secrets/NEVER_SET", null),
        404,
        "repository " + repoId + " has no secret NEVER_SET");
    // a name refused today is still looked up for removal: one stored before the rule goes
    assertProblem(
        send("DELETE", "/repos/" + repoId + "/secrets/LD_PRELOAD", null),
        404,
        "repository " + repoId + " has no secret LD_PRELOAD");
  }

  @Test
  void aRunsStepGetsTheValuesItNamesAndLearnsWhichAreMissing() {
    putSecret("DEPLOY_TOKEN", VALUE);
    long runId = runs.insert(newRun(url, "main", "x86_64")).orElseThrow();

    JsonNode answer = internal(runId, List.of("DEPLOY_TOKEN", "NOT_SET"));

    assertThat(answer.path("values").path("DEPLOY_TOKEN").asString()).isEqualTo(VALUE);
    assertThat(answer.path("values").has("NOT_SET")).isFalse();
    assertThat(answer.path("missing").get(0).asString()).isEqualTo("NOT_SET");
    assertThat(answer.path("withheld").isNull() || answer.path("withheld").isMissingNode())
        .isTrue();
  }

  @Test
  void aMergeRequestsRunGetsNoSecrets() {
    putSecret("DEPLOY_TOKEN", VALUE);
    long runId = runs.insert(newRun(url, "feature", "x86_64", "42", null)).orElseThrow();

    JsonNode answer = internal(runId, List.of("DEPLOY_TOKEN"));

    assertThat(answer.path("values")).isEmpty();
    assertThat(answer.path("withheld").asString())
        .isEqualTo(
            "builds of merge requests get no secrets (a merge request may come from a fork)");
  }

  @Test
  void aRunThatHasEndedGetsNoSecrets() {
    putSecret("DEPLOY_TOKEN", VALUE);
    long runId = runs.insert(newRun(url, "main", "x86_64")).orElseThrow();
    runs.finish(runId, Result.PASSED, null);

    JsonNode answer = internal(runId, List.of("DEPLOY_TOKEN"));

    assertThat(answer.path("values")).isEmpty();
    assertThat(answer.path("withheld").asString())
        .isEqualTo("the run has ended: only a building run's steps get secrets");
  }

  @Test
  void aRunOfAnUnregisteredRepositoryHasNoneOfTheNamesItAsksFor() {
    long runId =
        runs.insert(newRun("https://git.example.com/team/unregistered.git", "main", "x86_64"))
            .orElseThrow();

    JsonNode answer = internal(runId, List.of("DEPLOY_TOKEN"));

    assertThat(answer.path("values")).isEmpty();
    assertThat(answer.path("missing").get(0).asString()).isEqualTo("DEPLOY_TOKEN");
  }

  private JsonNode internal(long runId, List<String> names) {
    RawHttp.Response response =
        http.send(
            "POST",
            "/internal/runs/" + runId + "/secrets",
            JSON.writeValueAsString(java.util.Map.of("names", names)),
            "Authorization",
            "Bearer test-token");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private RawHttp.Response putSecret(String name, String value) {
    return send(
        "PUT", "/repos/" + repoId + "/secrets/" + name, value, "Content-Type", "text/plain");
  }

  private RawHttp.Response send(String method, String path, String body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + admin;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return http.send(method, path, body, all);
  }

  private static void assertProblem(RawHttp.Response response, int status, String detail) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    assertThat(JSON.readTree(response.body()).path("detail").asString()).isEqualTo(detail);
  }
}
