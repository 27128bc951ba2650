package dev.kiln.api.auth;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.RawHttp;
import dev.kiln.api.support.StrictApi;
import dev.kiln.workflows.Phase;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Spellings of a path that a server might route to the same handler as the canonical one, against
 * the two places a token must not get into: {@code /internal} (workers only) and {@code /tokens}
 * (admin only). None may get through, and nothing may change.
 */
class PathSpellingIT extends StrictApi {

  @Autowired ApiTokens tokens;
  @Autowired RunRepository runs;

  RawHttp http;

  @BeforeEach
  void client() {
    http = new RawHttp(port);
  }

  private static List<String> spellings(String canonical) {
    String[] parts = canonical.substring(1).split("/", 2);
    String first = parts[0];
    String rest = parts.length > 1 ? "/" + parts[1] : "";
    return List.of(
        "//" + first + rest,
        "/" + first + "/" + rest,
        "/" + first + "%2f" + rest.substring(Math.min(1, rest.length())),
        "/" + first + "%2F" + rest.substring(Math.min(1, rest.length())),
        "/" + first + ";x=1" + rest,
        canonical + ";x=1",
        "/" + first.toUpperCase() + rest,
        "/" + Character.toUpperCase(first.charAt(0)) + first.substring(1) + rest,
        canonical + "/",
        canonical + "/.",
        "/runs/../" + first + rest,
        "/./" + first + rest,
        "/x/..;/" + first + rest,
        "/" + first + "/x/.." + rest,
        "/%2e%2e/" + first + rest,
        "/" + "%" + Integer.toHexString(first.charAt(0)) + first.substring(1) + rest,
        "/" + first + "%00" + rest,
        "/" + first + "\\" + rest.substring(Math.min(1, rest.length())));
  }

  @Test
  void noSpellingOfAnInternalPathLetsAnApiTokenIn() {
    long runId =
        runs.insert(newRun("https://git.example.com/team/app.git", "main", "x86_64")).orElseThrow();
    String admin =
        tokens
            .create("admin-spelling", Set.of(Scope.ADMIN), RepoPatterns.any(), null, "test")
            .secret();
    for (String path : spellings("/internal/runs/" + runId + "/phase")) {
      RawHttp.Response response =
          http.send("POST", path, "{\"phase\": \"fetching\"}", "Authorization", "Bearer " + admin);
      assertThat(response.status()).as(path + " " + response.body()).isIn(400, 401, 404, 405);
      assertThat(response.header("Content-Type")).as(path).startsWith("application/problem+json");
    }
    for (String path : spellings("/internal/archs/x86_64/served")) {
      RawHttp.Response response = http.send("GET", path, null, "Authorization", "Bearer " + admin);
      assertThat(response.status()).as(path + " " + response.body()).isIn(400, 401, 404, 405);
      assertThat(response.body()).as(path).doesNotContain("\"served\"");
    }
    assertThat(runs.find(runId).orElseThrow().phase()).isEqualTo(Phase.QUEUED);
  }

  @Test
  void noSpellingOfTokensListsOrMakesTokensWithoutAdmin() {
    String reader =
        tokens
            .create("reader-spelling", Set.of(Scope.READ), RepoPatterns.any(), null, "test")
            .secret();
    tokens.create("bystander-spelling", Set.of(Scope.ADMIN), RepoPatterns.any(), null, "test");
    String[][] callers = {{}, {"Authorization", "Bearer " + reader}};
    for (String[] caller : callers) {
      for (String path : spellings("/tokens")) {
        RawHttp.Response list = http.send("GET", path, null, caller);
        assertThat(list.status()).as(path + " " + list.body()).isIn(400, 401, 403, 404, 405);
        assertThat(list.body()).as(path).doesNotContain("\"tokens\"").doesNotContain("bystander");
        RawHttp.Response create =
            http.send("POST", path, "{\"name\": \"sneaky\", \"scopes\": [\"admin\"]}", caller);
        assertThat(create.status()).as(path + " " + create.body()).isIn(400, 401, 403, 404, 405);
        assertThat(create.body()).as(path).doesNotContain("kiln_");
      }
      for (String method : List.of("HEAD", "PATCH", "TRACE")) {
        RawHttp.Response other = http.send(method, "/tokens", null, caller);
        assertThat(other.status()).as(method).isIn(400, 401, 403, 405);
      }
      // OPTIONS answers with the methods the path allows (to a caller at all), nothing else
      RawHttp.Response options = http.send("OPTIONS", "/tokens", null, caller);
      assertThat(options.status()).isIn(200, 401);
      assertThat(options.body()).doesNotContain("bystander");
    }
    assertThat(tokens.list()).extracting(StoredToken::name).doesNotContain("sneaky");
  }
}
