package dev.kiln.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.config.KilnProperties;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** {@code kiln.artifacts.store} and {@code kiln.artifacts.s3.*} as an operator sets them. */
class ArtifactStoreSettingsTest {

  private static KilnProperties.Artifacts bind(Map<String, Object> env) {
    var source =
        new SystemEnvironmentPropertySource(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env);
    return new Binder(ConfigurationPropertySources.from(source))
        .bindOrCreate("kiln.artifacts", Bindable.of(KilnProperties.Artifacts.class));
  }

  @Test
  void theFilesystemStoreIsTheDefault() {
    KilnProperties.Artifacts artifacts = bind(Map.of());

    assertThat(artifacts.store()).isEqualTo(KilnProperties.Store.FILESYSTEM);
    assertThat(artifacts.s3().pathStyle()).isTrue();
    assertThat(artifacts.s3().region()).isEqualTo("us-east-1");
  }

  @Test
  void theEnvironmentVariablesTheDocsNameSetEveryS3Setting() {
    KilnProperties.Artifacts artifacts =
        bind(
            Map.of(
                "KILN_ARTIFACTS_STORE", "s3",
                "KILN_ARTIFACTS_S3_ENDPOINT", "http://127.0.0.1:8333",
                "KILN_ARTIFACTS_S3_REGION", "eu-west-1",
                "KILN_ARTIFACTS_S3_BUCKET", "kiln",
                "KILN_ARTIFACTS_S3_ACCESS_KEY", "the-access-key",
                "KILN_ARTIFACTS_S3_SECRET_KEY", "the-secret-key",
                "KILN_ARTIFACTS_S3_PATH_STYLE", "false"));

    assertThat(artifacts.store()).isEqualTo(KilnProperties.Store.S3);
    assertThat(artifacts.s3())
        .isEqualTo(
            new KilnProperties.S3(
                URI.create("http://127.0.0.1:8333"),
                "eu-west-1",
                "kiln",
                "the-access-key",
                "the-secret-key",
                false));
    assertThat(artifacts.s3().toString()).doesNotContain("the-secret-key");
  }

  @Test
  void anS3StoreWithoutABucketOrWithHalfTheCredentialsDoesNotStart() {
    assertThatThrownBy(() -> bind(Map.of("KILN_ARTIFACTS_STORE", "s3")))
        .rootCause()
        .hasMessage("kiln.artifacts.s3.bucket is required when kiln.artifacts.store is s3");
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "KILN_ARTIFACTS_STORE", "s3",
                        "KILN_ARTIFACTS_S3_BUCKET", "kiln",
                        "KILN_ARTIFACTS_S3_ACCESS_KEY", "the-access-key")))
        .rootCause()
        .hasMessageStartingWith(
            "kiln.artifacts.s3.access-key and kiln.artifacts.s3.secret-key go together");
  }
}
