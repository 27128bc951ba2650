package dev.kiln.api.repos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.auth.ApiTokens;
import dev.kiln.api.auth.RepoPatterns;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.support.RawHttp;
import dev.kiln.api.support.StrictApi;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /repos} over HTTP, against PostgreSQL, as an admin token calls it. */
class ReposIT extends StrictApi {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired ApiTokens tokens;
  @Autowired RepoStore store;

  RawHttp http;
  String admin;

  @BeforeEach
  void client() {
    http = new RawHttp(port);
    admin =
        tokens
            .create(
                "repos-admin-" + System.nanoTime(),
                Set.of(Scope.ADMIN),
                RepoPatterns.any(),
                null,
                "test")
            .secret();
  }

  private RawHttp.Response send(String method, String path, String body) {
    return http.send(method, path, body, "Authorization", "Bearer " + admin);
  }

  private static String url(String name) {
    return "https://git.example.com/team/" + name + "-" + System.nanoTime() + ".git";
  }

  private static String detail(RawHttp.Response response) {
    return JSON.readTree(response.body()).path("detail").asString();
  }

  @Test
  void registeringShowsTheWebhookSecretOnceAndFillsInTheDefaults() {
    String url = url("app");
    RawHttp.Response made = send("POST", "/repos", "{\"url\": \"" + url + "\"}");

    assertThat(made.status()).as(made.body()).isEqualTo(201);
    JsonNode repo = JSON.readTree(made.body());
    long id = repo.path("id").asLong();
    String secret = repo.path("webhook_secret").asString();
    assertThat(secret).matches("[0-9a-f]{64}");
    assertThat(made.header("Location")).isEqualTo("/repos/" + id);
    assertThat(repo.path("branches").get(0).asString()).isEqualTo("**");
    assertThat(repo.path("archs")).hasSize(1);
    assertThat(repo.path("default_priority").asString()).isEqualTo("normal");
    assertThat(repo.path("poll_interval").isNull()).isTrue();
    assertThat(repo.path("fairness_weight").asDouble()).isEqualTo(1.0);
    assertThat(repo.path("hooks").path("github").asString()).isEqualTo("/hooks/github");
    assertThat(repo.path("created_by").asString()).startsWith("repos-admin-");

    RawHttp.Response one = send("GET", "/repos/" + id, null);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.body()).doesNotContain(secret).doesNotContain("webhook_secret");
    assertThat(send("GET", "/repos", null).body()).contains(url).doesNotContain(secret);
  }

  @Test
  void everySettingIsStoredAndAPatchReplacesOnlyWhatItNames() {
    String url = url("deploy");
    RawHttp.Response made =
        send(
            "POST",
            "/repos",
            """
            {"url": "%s", "branches": ["main", "release/*"], "archs": ["amd64"],
             "default_priority": "high", "poll_interval": "5m",
             "notify_targets": [{"type": "webhook", "url": "https://hooks.example.com/kiln",
                                 "secret": "a-webhook-secret-of-the-receiver"}],
             "supersede": [{"branches": "main", "policy": "queue"}], "fairness_weight": 3}
            """
                .formatted(url));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    JsonNode repo = JSON.readTree(made.body());
    long id = repo.path("id").asLong();
    String firstSecret = repo.path("webhook_secret").asString();
    assertThat(repo.path("archs").get(0).asString()).isEqualTo("x86_64");
    assertThat(repo.path("poll_interval").asString()).isEqualTo("5m");
    assertThat(repo.path("notify_targets").get(0).path("url").asString())
        .isEqualTo("https://hooks.example.com/kiln");
    assertThat(repo.path("supersede").get(0).path("policy").asString()).isEqualTo("queue");
    assertThat(repo.path("fairness_weight").asDouble()).isEqualTo(3.0);

    RawHttp.Response patched =
        send(
            "PATCH",
            "/repos/" + id,
            "{\"default_priority\": \"low\", \"poll_interval\": \"none\","
                + " \"supersede\": [{\"branches\": \"release/**\", \"policy\": \"replace-pending\"}]}");
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    JsonNode after = JSON.readTree(patched.body());
    assertThat(after.path("default_priority").asString()).isEqualTo("low");
    assertThat(after.path("poll_interval").isNull()).isTrue();
    assertThat(after.path("supersede").get(0).path("branches").asString()).isEqualTo("release/**");
    assertThat(after.path("branches")).hasSize(2);
    assertThat(after.path("fairness_weight").asDouble()).as("not named: kept").isEqualTo(3.0);
    assertThat(after.has("webhook_secret")).isFalse();
    RawHttp.Response reweighed = send("PATCH", "/repos/" + id, "{\"fairness_weight\": 0.5}");
    assertThat(JSON.readTree(reweighed.body()).path("fairness_weight").asDouble()).isEqualTo(0.5);

    RawHttp.Response rotated = send("PATCH", "/repos/" + id, "{\"rotate_webhook_secret\": true}");
    String newSecret = JSON.readTree(rotated.body()).path("webhook_secret").asString();
    assertThat(newSecret).matches("[0-9a-f]{64}").isNotEqualTo(firstSecret);
  }

  @Test
  void aRepositoryIsRegisteredOnceHoweverItsUrlEnds() {
    String url = url("twice");
    assertThat(send("POST", "/repos", "{\"url\": \"" + url + "\"}").status()).isEqualTo(201);
    String sameRepo = url.substring(0, url.length() - ".git".length()) + "/";
    RawHttp.Response again = send("POST", "/repos", "{\"url\": \"" + sameRepo + "\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(detail(again)).isEqualTo("url: " + sameRepo + " is registered already");
  }

  @Test
  void badSettingsAreRefusedNamingTheFieldAndTheRule() {
    assertRefused("{}", 400, "url is required");
    assertRefused(
        "{\"url\": \"ext::sh -c touch% /tmp/pwned\"}",
        400, "url: transport \"ext::\" is not allowed; use the repository's https:// URL");
    assertRefused(
        "{\"url\": \"file:///srv/git/app.git\"}",
        400,
        "url: file:// URLs are only allowed on the dev stack (kiln.repos.allow-file);"
            + " use the repository's https:// URL");
    String url = url("bad");
    assertRefused(
        "{\"url\": \"" + url + "\", \"archs\": [\"sparc\"]}",
        422,
        "archs: \"sparc\" is not one Kiln builds for (x86_64, aarch64)");
    assertRefused(
        "{\"url\": \"" + url + "\", \"poll_interval\": \"5s\"}",
        400,
        "poll_interval: between 10s and 24h");
    assertRefused(
        "{\"url\": \"" + url + "\", \"fairness_weight\": 0}",
        400,
        "fairness_weight: 0 is not between 0.001 and 1000 (the repository's share of the build"
            + " queue; 1 unless set)");
    assertRefused(
        "{\"url\": \"" + url + "\", \"default_priority\": \"asap\"}",
        400,
        "default_priority: \"asap\" is not one of low, normal, high, urgent");
    assertRefused(
        "{\"url\": \""
            + url
            + "\", \"supersede\": [{\"branches\": \"main\", \"policy\": \"never\"}]}",
        400,
        "supersede[0].policy: one of cancel-running, replace-pending, queue");
    assertRefused(
        "{\"url\": \""
            + url
            + "\", \"notify_targets\": [{\"type\": \"webhook\", \"url\": \"ftp://x/y\"}]}",
        400,
        "notify_targets[0].url: must be an http:// or https:// URL");
    assertRefused(
        target(url, "{\"type\": \"slack\", \"url\": \"https://hooks.example.com/k\"}"),
        400,
        "notify_targets[0].type: one of webhook, github-status, gitlab-status, gitea-status");
    assertRefused(
        target(url, "{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:9/hook\"}"),
        400,
        "notify_targets[0].url: host 127.0.0.1 is a loopback address; Kiln fetches only from"
            + " public addresses unless kiln.repos.allow-hosts allows the host");
    assertRefused(
        target(url, "{\"type\": \"webhook\", \"url\": \"https://hooks.example.com/k\"}"),
        400,
        "notify_targets[0].secret: 16 to 256 characters, the key the receiver checks"
            + " X-Kiln-Signature with");
    assertRefused(
        target(
            url,
            "{\"type\": \"webhook\", \"url\": \"https://hooks.example.com/k\","
                + " \"secret\": \"0123456789abcdef\", \"on\": \"sometimes\"}"),
        400,
        "notify_targets[0].on: one of changes, all");
    assertRefused(
        target(
            url,
            "{\"type\": \"github-status\", \"url\": \"https://api.github.com\","
                + " \"repository\": \"octo-org/app\"}"),
        400,
        "notify_targets[0].token: required, the forge's API token (at most 1000 characters, no"
            + " whitespace)");
    assertRefused(
        target(
            url,
            "{\"type\": \"gitea-status\", \"url\": \"https://git.example.com/api/v1\","
                + " \"repository\": \"app\", \"token\": \"t\"}"),
        400,
        "notify_targets[0].repository: owner/name, as in octo-org/app");
    assertRefused(
        target(
            url,
            "{\"type\": \"github-status\", \"url\": \"https://api.github.com\","
                + " \"repository\": \"../admin\", \"token\": \"t\"}"),
        400,
        "notify_targets[0].repository: owner/name, as in octo-org/app");
    assertRefused(
        "{\"url\": \"" + url + "\", \"branches\": []}",
        400,
        "branches: name at least one pattern, or leave it out for all");
  }

  private static String target(String url, String target) {
    return "{\"url\": \"" + url + "\", \"notify_targets\": [" + target + "]}";
  }

  @Test
  void secretsAndTokensOfTargetsAreNeverShownAndAPatchThatKeepsATargetKeepsThem() {
    RawHttp.Response made =
        send(
            "POST",
            "/repos",
            """
            {"url": "%s", "notify_targets": [
              {"type": "webhook", "url": "https://hooks.example.com/k",
               "secret": "the-receivers-secret-key", "on": "all"},
              {"type": "gitlab-status", "url": "https://gitlab.example.com/api/v4",
               "repository": "group/app", "token": "glpat-the-forge-token"}]}
            """
                .formatted(url("targets")));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    long id = JSON.readTree(made.body()).path("id").asLong();
    assertThat(made.body()).doesNotContain("the-receivers-secret-key", "glpat-the-forge-token");
    RawHttp.Response shown = send("GET", "/repos/" + id, null);
    assertThat(shown.body())
        .doesNotContain("the-receivers-secret-key", "glpat-the-forge-token")
        .contains("\"repository\":\"group/app\"", "\"on\":\"all\"");

    // the same two targets again, without their secrets: they keep the stored ones
    RawHttp.Response patched =
        send(
            "PATCH",
            "/repos/" + id,
            """
            {"notify_targets": [
              {"type": "webhook", "url": "https://hooks.example.com/k"},
              {"type": "gitlab-status", "url": "https://gitlab.example.com/api/v4",
               "repository": "group/app"}]}
            """);
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    assertThat(store.find(id).orElseThrow().notifyTargets())
        .extracting(t -> t.secret() == null ? t.token() : t.secret())
        .containsExactly("the-receivers-secret-key", "glpat-the-forge-token");
    // a new target without its secret is refused
    RawHttp.Response refused =
        send(
            "PATCH",
            "/repos/" + id,
            "{\"notify_targets\": [{\"type\": \"webhook\", \"url\": \"https://other.example.com/k\"}]}");
    assertThat(refused.status()).as(refused.body()).isEqualTo(400);
  }

  private void assertRefused(String body, int status, String detail) {
    RawHttp.Response refused = send("POST", "/repos", body);
    assertThat(refused.status()).as(refused.body()).isEqualTo(status);
    assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
    assertThat(detail(refused)).isEqualTo(detail);
  }

  @Test
  void aDeletedRepositoryIsGoneAndAnUnknownIdIs404() {
    RawHttp.Response made = send("POST", "/repos", "{\"url\": \"" + url("gone") + "\"}");
    long id = JSON.readTree(made.body()).path("id").asLong();
    assertThat(send("DELETE", "/repos/" + id, null).status()).isEqualTo(204);
    assertThat(send("GET", "/repos/" + id, null).status()).isEqualTo(404);
    assertThat(send("DELETE", "/repos/" + id, null).status()).isEqualTo(404);
    assertThat(send("PATCH", "/repos/" + id, "{}").status()).isEqualTo(404);
    assertThat(detail(send("GET", "/repos/abc", null)))
        .isEqualTo("repository id \"abc\" is not a positive integer");
  }
}
