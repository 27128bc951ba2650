package dev.kiln.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class KilnPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(KilnProperties.class)
  static class Config {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Config.class);

  @Test
  void failsToStartWithoutAnInternalTokenAndSaysWhichProperty() {
    runner.run(
        context ->
            assertThat(context)
                .hasFailed()
                .getFailure()
                .rootCause()
                .hasMessageContaining("kiln.internal.token is required"));
  }

  @Test
  void failsToStartWithABlankToken() {
    runner
        .withPropertyValues("kiln.internal.token=  ")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void appliesDefaultsWhenOnlyTheTokenIsSet() {
    runner
        .withPropertyValues("kiln.internal.token=secret")
        .run(
            context -> {
              KilnProperties p = context.getBean(KilnProperties.class);
              assertThat(p.home()).isEqualTo(Path.of(System.getProperty("user.home"), ".kiln"));
              assertThat(p.temporal().address()).isEqualTo("localhost:7233");
              assertThat(p.temporal().namespace()).isEqualTo("default");
              assertThat(p.temporal().uiUrl()).hasToString("http://localhost:8233");
              assertThat(p.repos().allowFile()).isFalse();
              assertThat(p.archs()).containsExactly("x86_64", "aarch64");
              assertThat(p.artifacts().maxSize().toBytes()).isEqualTo(1L << 30);
              assertThat(p.http().maxBodySize().toBytes()).isEqualTo(1L << 20);
              assertThat(p.dispatch().noWorkerTimeout()).isEqualTo(Duration.ofMinutes(5));
              assertThat(p.dispatch().pollerCheckTimeout()).isEqualTo(Duration.ofSeconds(2));
            });
  }

  @Test
  void bindsTheNoWorkerTimeout() {
    runner
        .withPropertyValues("kiln.internal.token=secret", "kiln.dispatch.no-worker-timeout=20s")
        .run(
            context ->
                assertThat(context.getBean(KilnProperties.class).dispatch().noWorkerTimeout())
                    .isEqualTo(Duration.ofSeconds(20)));
  }

  @Test
  void refusesANegativeNoWorkerTimeout() {
    runner
        .withPropertyValues("kiln.internal.token=secret", "kiln.dispatch.no-worker-timeout=-1s")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("kiln.dispatch.no-worker-timeout"));
  }

  @Test
  void normalisesConfiguredArchs() {
    runner
        .withPropertyValues("kiln.internal.token=secret", "kiln.archs=amd64,arm64,riscv64")
        .run(
            context ->
                assertThat(context.getBean(KilnProperties.class).archs())
                    .containsExactly("x86_64", "aarch64", "riscv64"));
  }
}
