package dev.kiln.api.runs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.support.TestPostgres;
import dev.kiln.workflows.Result;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.util.UriComponentsBuilder;

/** {@code GET /runs} filters and paging, over a ledger with a known mix of runs. */
class RunListingIT {

  private static final String APP = "https://example.com/app.git";
  private static final String LIB = "git@example.com:team/lib.git";

  private static RunRepository runs;
  private static RunViews views;
  private static JdbcClient jdbc;
  private static final List<Long> ids = new ArrayList<>();

  @BeforeAll
  static void ledger() {
    jdbc = JdbcClient.create(TestPostgres.migratedDatabase());
    runs = new RunRepository(jdbc);
    views = LedgerViews.over(jdbc);
    ids.add(runs.insert(newRun(APP, "main", "x86_64")).orElseThrow()); // 0
    ids.add(runs.insert(newRun(APP, "main", "aarch64")).orElseThrow()); // 1
    ids.add(runs.insert(newRun(APP, "feature/x", "x86_64", "17", null)).orElseThrow()); // 2
    ids.add(runs.insert(newRun(LIB, null, "x86_64")).orElseThrow()); // 3
    ids.add(runs.insert(newRun(LIB, "abc1234", "x86_64", "17", null)).orElseThrow()); // 4
    runs.finish(ids.get(1), Result.FAILED, "compile error");
    runs.finish(ids.get(3), Result.PASSED, null);
    // run 3 built the default branch; fetch resolved it to "main"
    runs.recordResolved(ids.get(4), "abc1234def", null, null, "h1", "kiln.yaml");
    jdbc.sql("UPDATE runs SET branch = 'main' WHERE id = :id").param("id", ids.get(3)).update();
    jdbc.sql("UPDATE runs SET queued_at = '2020-01-01T00:00:00Z' WHERE id = :id")
        .param("id", ids.get(0))
        .update();
  }

  private static List<Long> list(RunFilter filter) {
    return views.page(filter, 200).runs().stream().map(RunSummary::runId).toList();
  }

  private static RunFilter none() {
    return new RunFilter(null, null, null, null, null, null, null);
  }

  private static List<Long> ids(int... indexes) {
    List<Long> expected = new ArrayList<>();
    for (int i = indexes.length - 1; i >= 0; i--) {
      expected.add(ids.get(indexes[i]));
    }
    return expected;
  }

  @Test
  void listsNewestFirst() {
    assertThat(list(none())).containsExactlyElementsOf(ids(0, 1, 2, 3, 4));
  }

  @Test
  void filtersByRepoArchMrAndResult() {
    assertThat(list(new RunFilter(LIB, null, null, null, null, null, null)))
        .containsExactlyElementsOf(ids(3, 4));
    assertThat(list(new RunFilter(null, null, null, "aarch64", null, null, null)))
        .containsExactlyElementsOf(ids(1));
    assertThat(list(new RunFilter(null, null, "17", null, null, null, null)))
        .containsExactlyElementsOf(ids(2, 4));
    assertThat(list(new RunFilter(null, null, null, null, Result.BUILDING, null, null)))
        .containsExactlyElementsOf(ids(0, 2, 4));
  }

  @Test
  void filtersByBranchMatchingTheRequestedRefUntilResolved() {
    assertThat(list(new RunFilter(null, "main", null, null, null, null, null)))
        .containsExactlyElementsOf(ids(0, 1, 3));
  }

  @Test
  void filtersBySince() {
    assertThat(
            list(
                new RunFilter(
                    APP, null, null, null, null, Instant.parse("2021-01-01T00:00:00Z"), null)))
        .containsExactlyElementsOf(ids(1, 2));
  }

  @Test
  void pagesWithABeforeCursorUntilNextIsNull() {
    RunFilter filter = new RunFilter(null, null, null, "x86_64", null, null, null);
    List<Long> seen = new ArrayList<>();
    RunPage page = views.page(filter, 2);
    int pages = 1;
    while (true) {
      page.runs().forEach(r -> seen.add(r.runId()));
      if (page.next() == null) {
        break;
      }
      var query = UriComponentsBuilder.fromUriString(page.next()).build().getQueryParams();
      assertThat(query.getFirst("arch")).isEqualTo("x86_64");
      assertThat(query.getFirst("limit")).isEqualTo("2");
      long before = Long.parseLong(query.getFirst("before"));
      page = views.page(new RunFilter(null, null, null, "x86_64", null, null, before), 2);
      pages++;
    }
    assertThat(seen).containsExactlyElementsOf(ids(0, 2, 3, 4));
    assertThat(pages).isEqualTo(2);
  }

  @Test
  void nextLinkEncodesFilterValuesSoTheyRoundTrip() {
    // a database of its own, so these runs stay out of the other tests' listings
    JdbcClient own = JdbcClient.create(TestPostgres.migratedDatabase());
    RunRepository ownRuns = new RunRepository(own);
    RunViews ownViews = LedgerViews.over(own);
    String odd = "git+ssh://h/a&b=c.git";
    assertThat(ownRuns.insert(newRun(odd, "main", "x86_64"))).isPresent();
    assertThat(ownRuns.insert(newRun(odd, "main", "x86_64"))).isPresent();

    String next = ownViews.page(new RunFilter(odd, null, null, null, null, null, null), 1).next();

    String repoParam =
        UriComponentsBuilder.fromUriString(next).build().getQueryParams().getFirst("repo");
    // decoded as a servlet container decodes a query string
    assertThat(URLDecoder.decode(repoParam, StandardCharsets.UTF_8)).isEqualTo(odd);
  }
}
