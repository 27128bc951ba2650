package dev.kiln.api.rebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.runs.NewRun;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.RunPriority;
import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class RebuildValidatorTest {

  private static final String REPO = "https://github.com/madler/zlib.git";

  /** Names resolve through this map only: no test looks a name up in the machine's DNS. */
  private static final HostResolver RESOLVER =
      host -> {
        List<String> literals =
            Map.of("github.com", List.of("140.82.121.4"), "git.lan", List.of("192.168.1.5"))
                .get(host);
        if (literals == null) {
          throw new UnknownHostException(host);
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (String literal : literals) {
          addresses.add(InetAddress.getByName(literal));
        }
        return addresses;
      };

  private static final RepositoryPolicy POLICY =
      new RepositoryPolicy(false, AllowedHosts.none(), RESOLVER);

  private final RebuildValidator validator =
      new RebuildValidator(List.of("x86_64", "aarch64"), POLICY, "x86_64");

  private static RebuildBody body(String repo) {
    return new RebuildBody(repo, null, null, null, null, null, null, null);
  }

  @Test
  void fillsDefaultsForAnOnlyRepoRequest() {
    NewRun run = validator.validate(body(REPO), null);

    assertThat(run.ref()).isNull();
    assertThat(run.arch()).isEqualTo("x86_64");
    assertThat(run.priority()).isEqualTo(RunPriority.NORMAL);
    assertThat(run.supersede()).isTrue();
    assertThat(run.args()).isEmpty();
    assertThat(run.lane()).isEqualTo(REPO + "#HEAD@x86_64");
  }

  @Test
  void normalisesArchAliasesAndBuildsTheLaneFromRefAndArch() {
    NewRun run =
        validator.validate(
            new RebuildBody(
                REPO, "develop", "arm64", "123", "urgent", false, "all", List.of("-j4")),
            "key-1");

    assertThat(run.arch()).isEqualTo("aarch64");
    assertThat(run.lane()).isEqualTo(REPO + "#develop@aarch64");
    assertThat(run.priority()).isEqualTo(RunPriority.URGENT);
    assertThat(run.supersede()).isFalse();
    assertThat(run.idempotencyKey()).isEqualTo("key-1");
  }

  @Test
  void requiresRepo() {
    assertRefused(body(null), 400, "repo is required");
    assertRefused(body("  "), 400, "repo: must not be empty");
  }

  @Test
  void storesTheRepositoryInTheCanonicalFormTokenPatternsMatch() {
    NewRun run = validator.validate(body("HTTPS://GitHub.com/madler/zlib.git"), null);

    assertThat(run.repo()).isEqualTo(REPO);
    assertThat(run.lane()).isEqualTo(REPO + "#HEAD@x86_64");
  }

  @Test
  void refusesWhatTheWorkersWouldRefuseAtFetchWithThePolicysReason() {
    assertRefused(
        body("git@github.com:madler/zlib.git"),
        400,
        "repo: ssh addresses such as host:path are not supported (Kiln's workers fetch over"
            + " https); use the repository's https:// URL");
    assertRefused(
        body("https://git.lan/team/app.git"),
        400,
        "repo: host \"git.lan\" resolves to a private address; Kiln fetches only from public"
            + " addresses unless kiln.repos.allow-hosts allows the host");
    assertRefused(
        withRef("main~1"),
        400,
        "ref: must not contain \"~\": name a branch, tag or"
            + " sha, not a revision expression (such as main~1)");
  }

  @Test
  void refusesAnArchKilnDoesNotBuildWith422() {
    RebuildBody riscv = new RebuildBody(REPO, null, "riscv64", null, null, null, null, null);
    assertRefused(riscv, 422, "arch: \"riscv64\" is not one Kiln builds for (x86_64, aarch64)");
  }

  @Test
  void refusesTheDefaultArchWhenThisMachineIsNotABuildArch() {
    RebuildValidator onRiscv = new RebuildValidator(List.of("x86_64"), POLICY, "riscv64");
    assertThatThrownBy(() -> onRiscv.validate(body(REPO), null))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(422);
              assertThat(e.getBody().getDetail()).contains("riscv64").contains("pass one of");
            });
  }

  @Test
  void refusesMalformedRefs() {
    assertRefused(withRef("a..b"), 400, "ref: must not contain \"..\"");
    assertRefused(
        withRef("has space"), 400, "ref: must not contain whitespace or control characters");
    assertRefused(
        withRef("tab\there"), 400, "ref: must not contain whitespace or control characters");
    assertRefused(withRef("-x"), 400, "ref: must not start with \"-\"");
    assertRefused(withRef("r".repeat(256)), 400, "ref: longer than 255 characters");
    assertRefused(withRef(""), 400, "ref: must not be empty; leave it out for the default branch");
  }

  @Test
  void refusesUnknownPriority() {
    assertRefused(
        new RebuildBody(REPO, null, null, null, "asap", null, null, null),
        400,
        "priority: \"asap\" is not one of low, normal, high, urgent");
  }

  @Test
  void refusesOverlongMrAndBadArgs() {
    assertRefused(
        new RebuildBody(REPO, null, null, "m".repeat(65), null, null, null, null),
        400,
        "mr: longer than 64 characters");
    assertRefused(
        new RebuildBody(REPO, null, null, null, null, null, null, Arrays.asList("ok", null)),
        400,
        "args[1]: must be a string, not null");
    assertRefused(
        new RebuildBody(REPO, null, null, null, null, null, null, List.of("a\nb")),
        400,
        "args[0]: must not contain control characters");
  }

  @Test
  void refusesNonPrintableIdempotencyKeys() {
    assertThatThrownBy(() -> validator.validate(body(REPO), "k\u00e9y"))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("Idempotency-Key: must be 1 to 255 printable ASCII characters");
  }

  private static RebuildBody withRef(String ref) {
    return new RebuildBody(REPO, ref, null, null, null, null, null, null);
  }

  private void assertRefused(RebuildBody body, int status, String detail) {
    AbstractThrowableAssert<?, ?> thrown =
        assertThatThrownBy(() -> validator.validate(body, null)).isInstanceOf(ApiException.class);
    thrown.satisfies(
        e -> {
          ApiException api = (ApiException) e;
          assertThat(api.getStatusCode().value()).isEqualTo(status);
          assertThat(api.getBody().getDetail()).isEqualTo(detail);
        });
  }
}
