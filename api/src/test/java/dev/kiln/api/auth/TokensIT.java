package dev.kiln.api.auth;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.RawHttp;
import dev.kiln.api.support.StrictApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A new installation's first admin token, and what a team does with it: make tokens, list them, use
 * them, delete them; and that the run view says which token started or cancelled a run.
 */
class TokensIT extends StrictApi {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String REPO = "https://git.example.com/team/app.git";

  @Autowired KilnProperties kiln;
  @Autowired ApiTokens tokens;
  @Autowired RunRepository runs;

  RawHttp http;

  @BeforeEach
  void client() {
    http = new RawHttp(port);
  }

  private String bootstrap() throws Exception {
    return Files.readString(kiln.home().resolve("admin.token")).trim();
  }

  private RawHttp.Response as(String token, String method, String path, String body) {
    return http.send(method, path, body, "Authorization", "Bearer " + token);
  }

  @Test
  void theFirstStartWritesOneAdminTokenReadableByItsOwnerOnly() throws Exception {
    Path file = kiln.home().resolve("admin.token");
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(bootstrap()).matches("kiln_[0-9A-Za-z]{43}");
    assertThat(as(bootstrap(), "GET", "/tokens", null).status()).isEqualTo(200);
    // another replica starting on the same database makes none
    assertThat(tokens.createBootstrap()).isEmpty();
    assertThat(tokens.list()).filteredOn(StoredToken::bootstrap).hasSize(1);
  }

  @Test
  void anAdminMakesATokenThatWorksIsListedWithoutItsSecretAndStopsWorkingWhenDeleted()
      throws Exception {
    RawHttp.Response made =
        as(
            bootstrap(),
            "POST",
            "/tokens",
            "{\"name\": \"ci\", \"scopes\": [\"trigger\", \"read\"],"
                + " \"repos\": [\"https://git.example.com/team/*\"], \"expires_in_days\": 30}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    JsonNode created = JSON.readTree(made.body());
    String secret = created.path("token").asString();
    long id = created.path("id").asLong();
    assertThat(secret).matches("kiln_[0-9A-Za-z]{43}");
    assertThat(made.header("Location")).isEqualTo("/tokens/" + id);
    assertThat(created.path("scopes"))
        .extracting(JsonNode::asString)
        .containsExactly("read", "trigger");
    assertThat(created.path("repos").get(0).asString()).isEqualTo("https://git.example.com/team/*");
    assertThat(created.path("created_by").asString()).isEqualTo("admin (first start)");
    assertThat(created.path("expires_at").asString()).isNotEmpty();

    RawHttp.Response listed = as(bootstrap(), "GET", "/tokens", null);
    assertThat(listed.body()).doesNotContain(secret).doesNotContain(secret.substring(5, 20));
    JsonNode ci = find(JSON.readTree(listed.body()), id);
    assertThat(ci.path("status").asString()).isEqualTo("live");
    assertThat(ci.has("token")).isFalse();

    assertThat(as(secret, "GET", "/runs", null).status()).isEqualTo(200);
    assertThat(as(secret, "GET", "/tokens", null).status()).isEqualTo(403);

    assertThat(as(bootstrap(), "DELETE", "/tokens/" + id, null).status()).isEqualTo(204);
    RawHttp.Response refused = as(secret, "GET", "/runs", null);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(JSON.readTree(refused.body()).path("detail").asString())
        .isEqualTo("token \"ci\" was deleted");
    assertThat(
            find(JSON.readTree(as(bootstrap(), "GET", "/tokens", null).body()), id)
                .path("status")
                .asString())
        .isEqualTo("deleted");
    assertThat(as(bootstrap(), "DELETE", "/tokens/" + id, null).status()).isEqualTo(204);
    assertThat(as(bootstrap(), "DELETE", "/tokens/999999", null).status()).isEqualTo(404);
    // the name is free again
    assertThat(
            as(bootstrap(), "POST", "/tokens", "{\"name\": \"ci\", \"scopes\": [\"read\"]}")
                .status())
        .isEqualTo(201);
  }

  @Test
  void aSecondLiveTokenOfTheSameNameOrAnUnknownScopeIsRefused() throws Exception {
    String body = "{\"name\": \"deploy-bot\", \"scopes\": [\"read\"]}";
    assertThat(as(bootstrap(), "POST", "/tokens", body).status()).isEqualTo(201);
    RawHttp.Response again = as(bootstrap(), "POST", "/tokens", body);
    assertThat(again.status()).isEqualTo(409);
    assertThat(JSON.readTree(again.body()).path("detail").asString())
        .isEqualTo("name: a live token is called \"deploy-bot\" already; pick another name");

    RawHttp.Response unknown =
        as(bootstrap(), "POST", "/tokens", "{\"name\": \"x\", \"scopes\": [\"root\"]}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(JSON.readTree(unknown.body()).path("detail").asString())
        .isEqualTo(
            "scopes[0]: \"root\" is not one of read, trigger, cancel, urgent, metrics, admin");
  }

  @Test
  void theRunViewNamesTheTokenThatStartedItAndTheOneThatCancelledIt() throws Exception {
    String ci =
        tokens
            .create(
                "ci-trigger",
                Set.of(Scope.TRIGGER),
                RepoPatterns.of(java.util.List.of(REPO)),
                null,
                "t")
            .secret();
    String ops =
        tokens
            .create("ops-cancel", Set.of(Scope.CANCEL, Scope.READ), RepoPatterns.any(), null, "t")
            .secret();

    // Temporal is unreachable here: the run is recorded, then fails to start (503)
    RawHttp.Response started =
        as(ci, "POST", "/rebuild", "{\"repo\": \"" + REPO + "\", \"ref\": \"main\"}");
    assertThat(started.status()).as(started.body()).isEqualTo(503);
    long failedToStart = JSON.readTree(started.body()).path("run_id").asLong();
    JsonNode view = JSON.readTree(as(ops, "GET", "/runs/" + failedToStart, null).body());
    assertThat(view.path("triggered_by").asString()).isEqualTo("ci-trigger");

    long building = runs.insert(newRun(REPO, "feature", "x86_64"), "ci-trigger").orElseThrow();
    RawHttp.Response cancel =
        as(ops, "PUT", "/build-jobs/" + building + "/cancel", "{\"reason\": \"I am the CEO\"}");
    // recorded before Temporal is asked; Temporal being down, the api says to repeat it
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(503);
    assertThat(runs.find(building).orElseThrow().cancelledBy())
        .as("the token's name, not what the body claims")
        .isEqualTo("ops-cancel");
  }

  @Test
  void urgentPriorityNeedsItsOwnScopeAndARefusedRebuildRecordsNothing() throws Exception {
    String ci =
        tokens.create("ci-normal", Set.of(Scope.TRIGGER), RepoPatterns.any(), null, "t").secret();
    int before =
        runs.list(new dev.kiln.api.runs.RunFilter(REPO, null, null, null, null, null, null), 200)
            .size();

    RawHttp.Response urgent =
        as(ci, "POST", "/rebuild", "{\"repo\": \"" + REPO + "\", \"priority\": \"urgent\"}");

    assertThat(urgent.status()).isEqualTo(403);
    JsonNode problem = JSON.readTree(urgent.body());
    assertThat(problem.path("detail").asString())
        .isEqualTo(
            "priority \"urgent\" jumps every queue: it needs scope \"urgent\" (or \"admin\"),"
                + " which token \"ci-normal\" lacks");
    assertThat(problem.path("missing_scope").asString()).isEqualTo("urgent");
    assertThat(
            runs.list(
                new dev.kiln.api.runs.RunFilter(REPO, null, null, null, null, null, null), 200))
        .hasSize(before);

    String granted =
        tokens
            .create("ci-urgent", Set.of(Scope.TRIGGER, Scope.URGENT), RepoPatterns.any(), null, "t")
            .secret();
    assertThat(
            as(
                    granted,
                    "POST",
                    "/rebuild",
                    "{\"repo\": \"" + REPO + "\", \"priority\": \"urgent\"}")
                .status())
        .as("past authorization: Temporal is what is missing here")
        .isEqualTo(503);
  }

  private static JsonNode find(JsonNode list, long id) {
    for (JsonNode token : list.path("tokens")) {
      if (token.path("id").asLong() == id) {
        return token;
      }
    }
    throw new AssertionError("token " + id + " not listed: " + list);
  }
}
