package dev.kiln.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenRequestsTest {

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Duration NINETY_DAYS = Duration.ofDays(90);

  private static TokenRequests.Checked check(
      String name, List<String> scopes, List<String> repos, String at, Integer days) {
    return TokenRequests.check(name, scopes, repos, at, days, NINETY_DAYS, CLOCK);
  }

  private static void refused(Runnable request, String detail) {
    assertThatThrownBy(request::run)
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(400);
              assertThat(e.getBody().getDetail()).isEqualTo(detail);
            });
  }

  @Test
  void aTokenForTheTeamsRepositoriesExpiresAfterTheDefaultLifetime() {
    TokenRequests.Checked checked =
        check(
            " ci ",
            List.of("trigger", "read"),
            List.of("https://git.example.com/team/*"),
            null,
            null);

    assertThat(checked.name()).isEqualTo("ci");
    assertThat(checked.scopes()).containsExactlyInAnyOrder(Scope.TRIGGER, Scope.READ);
    assertThat(checked.repos().patterns()).containsExactly("https://git.example.com/team/*");
    assertThat(checked.expiresAt()).isEqualTo(NOW.plus(NINETY_DAYS));
  }

  @Test
  void expiresWhenAskedOrNeverWithZeroDays() {
    assertThat(check("a", List.of("read"), null, null, 7).expiresAt())
        .isEqualTo(NOW.plus(Duration.ofDays(7)));
    assertThat(check("a", List.of("read"), null, null, 0).expiresAt()).isNull();
    assertThat(check("a", List.of("read"), null, "2027-01-01T00:00:00+01:00", null).expiresAt())
        .isEqualTo(Instant.parse("2026-12-31T23:00:00Z"));
    assertThat(check("a", List.of("read"), null, null, null).repos()).isEqualTo(RepoPatterns.any());
  }

  @Test
  void refusesWhatWouldMakeAUselessOrAmbiguousToken() {
    refused(
        () -> check(null, List.of("read"), null, null, null),
        "name is required: who or what uses the token (\"ci\")");
    refused(
        () -> check("a\nb", List.of("read"), null, null, null),
        "name: must not contain control characters");
    refused(
        () -> check("a", List.of(), null, null, null),
        "scopes: name at least one of " + Scope.wireNames());
    refused(
        () -> check("a", List.of("read", "write"), null, null, null),
        "scopes[1]: \"write\" is not one of read, trigger, cancel, urgent, metrics, admin");
    refused(
        () -> check("a", List.of("read"), null, "2026-11-30T00:00:00Z", null),
        "expires_at: 2026-11-30T00:00:00Z is not in the future");
    refused(
        () -> check("a", List.of("read"), null, "tomorrow", null),
        "expires_at: \"tomorrow\" is not an RFC 3339 timestamp such as 2027-01-31T00:00:00Z");
    refused(
        () -> check("a", List.of("read"), null, "2027-01-01T00:00:00Z", 3),
        "give expires_at or expires_in_days, not both");
    refused(
        () -> check("a", List.of("read"), null, null, -1),
        "expires_in_days: must be 0 (never) to 3650, got -1");
    refused(
        () -> check("a", List.of("read"), List.of("https://h/a b"), null, null),
        "repos: repository pattern \"https://h/a b\" must not contain whitespace or control"
            + " characters");
  }

  @Test
  void adminAloneImpliesEveryScope() {
    Caller admin = new Caller("root", 1L, Set.of(Scope.ADMIN), RepoPatterns.any());
    Caller reader = new Caller("bot", 2L, Set.of(Scope.READ), RepoPatterns.any());
    for (Scope scope : Scope.values()) {
      assertThat(admin.has(scope)).isTrue();
    }
    assertThat(reader.has(Scope.READ)).isTrue();
    assertThat(reader.has(Scope.TRIGGER)).isFalse();
    assertThat(reader.has(Scope.URGENT)).isFalse();
  }
}
