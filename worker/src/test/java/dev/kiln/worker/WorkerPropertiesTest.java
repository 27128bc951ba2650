package dev.kiln.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.activities.capacity.LoadLimits;
import dev.kiln.workflows.Architectures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class WorkerPropertiesTest {

  @Test
  void defaultsServeBothRolesOnTheMachinesOwnArchitecture() {
    WorkerProperties properties = bind(Map.of("kiln.internal.token", "t"));

    assertThat(properties.worker().runsControl()).isTrue();
    assertThat(properties.worker().runsBuilds()).isTrue();
    assertThat(properties.worker().effectiveArchs())
        .containsExactly(Architectures.normalise(System.getProperty("os.arch")));
    assertThat(properties.worker().effectiveSlots())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    assertThat(properties.worker().gracePeriod()).isEqualTo(Duration.ofSeconds(10));
    assertThat(properties.worker().loadLimits()).isEqualTo(new LoadLimits(0.85, 0.85));
    assertThat(properties.worker().slotLeaseIdle()).isEqualTo(Duration.ofMinutes(10));
    assertThat(properties.repos().allowFile()).isFalse();
    assertThat(properties.temporal().address()).isEqualTo("localhost:7233");
    assertThat(properties.home().toString()).isEqualTo(System.getProperty("user.home") + "/.kiln");
  }

  @Test
  void aBuildOnlyWorkerForOtherArchitecturesIsConfigurable() {
    WorkerProperties properties =
        bind(
            Map.of(
                "kiln.worker.roles", "build",
                "kiln.worker.archs", "arm64,amd64",
                "kiln.worker.slots", "3",
                "kiln.worker.max-cpu", "0.9",
                "kiln.worker.max-memory", "0.7",
                "kiln.worker.grace-period", "2s"));

    assertThat(properties.worker().runsControl()).isFalse();
    assertThat(properties.worker().effectiveArchs()).isEqualTo(List.of("aarch64", "x86_64"));
    assertThat(properties.worker().effectiveSlots()).isEqualTo(3);
    assertThat(properties.worker().loadLimits()).isEqualTo(new LoadLimits(0.9, 0.7));
    assertThat(properties.worker().gracePeriod()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void repositoryCredentialsBindPerHostAndNeverPrintTheirSecret() {
    WorkerProperties properties =
        bind(
            Map.of(
                "kiln.repos.allow-hosts", "git.internal,10.0.0.0/8",
                "kiln.repos.credentials[0].host", "GitHub.com",
                "kiln.repos.credentials[0].username", "x-access-token",
                "kiln.repos.credentials[0].password", "ghp_secret",
                "kiln.repos.credentials[1].host", "git.internal:8443",
                "kiln.repos.credentials[1].username", "kiln",
                "kiln.repos.credentials[1].password-file", "/run/secrets/git-internal"));

    assertThat(properties.repos().allowHosts()).containsExactly("git.internal", "10.0.0.0/8");
    assertThat(properties.repos().repositoryCredentials().hasFor("github.com", -1)).isTrue();
    assertThat(properties.repos().repositoryCredentials().hasFor("git.internal", 8443)).isTrue();
    assertThat(properties.repos().repositoryCredentials().hasFor("git.internal", 443)).isFalse();
    assertThat(properties.repos().credentials().get(1).passwordFile())
        .isEqualTo(Path.of("/run/secrets/git-internal"));
    assertThat(properties.repos().toString()).doesNotContain("ghp_secret");
  }

  /** As the README tells a team to set them on a build worker. */
  @Test
  void repositoryCredentialsAndAllowedHostsBindFromEnvironmentVariables() {
    Map<String, Object> env =
        Map.of(
            "KILN_REPOS_ALLOWHOSTS", "git.internal,10.0.0.0/8",
            "KILN_REPOS_CREDENTIALS_0_HOST", "github.com",
            "KILN_REPOS_CREDENTIALS_0_USERNAME", "x-access-token",
            "KILN_REPOS_CREDENTIALS_0_PASSWORDFILE", "/run/secrets/github-token");
    WorkerProperties properties =
        new Binder(
                ConfigurationPropertySources.from(
                    new SystemEnvironmentPropertySource("systemEnvironment", env)))
            .bindOrCreate("kiln", WorkerProperties.class);

    assertThat(properties.repos().allowHosts()).containsExactly("git.internal", "10.0.0.0/8");
    assertThat(properties.repos().credentials().get(0).passwordFile())
        .isEqualTo(Path.of("/run/secrets/github-token"));
    assertThat(properties.repos().repositoryCredentials().hasFor("github.com", -1)).isTrue();
  }

  @Test
  void anEntryWithBothAPasswordAndAFileIsRefusedNamingItsHost() {
    WorkerProperties properties =
        bind(
            Map.of(
                "kiln.repos.credentials[0].host", "github.com",
                "kiln.repos.credentials[0].username", "x",
                "kiln.repos.credentials[0].password", "p",
                "kiln.repos.credentials[0].password-file", "/f"));

    assertThatThrownBy(() -> properties.repos().repositoryCredentials())
        .hasMessage(
            "kiln.repos.credentials: the entry for github.com needs exactly one of password and"
                + " password-file");
  }

  private static WorkerProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("kiln", WorkerProperties.class);
  }
}
