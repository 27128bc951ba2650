package dev.kiln.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;

class ArtifactStoreFailureAnalyzerTest {

  @Test
  void anUnusableStoreAtStartIsReportedAsWhatIsWrongAndWhatToSetNotAsAStackTrace() {
    var cause =
        new ArtifactStoreUnavailableException(
            "the bucket of the S3 bucket \"kiln\" at http://127.0.0.1:8333 does not exist.",
            new IllegalStateException("from the SDK"));
    var failure = new BeanCreationException("artifactStore", "failed", cause);

    FailureAnalysis analysis = new ArtifactStoreFailureAnalyzer().analyze(failure);

    assertThat(analysis.getDescription())
        .isEqualTo(
            "Kiln cannot use its artifact store: the bucket of the S3 bucket \"kiln\" at"
                + " http://127.0.0.1:8333 does not exist.");
    assertThat(analysis.getAction())
        .contains("KILN_ARTIFACTS_S3_ENDPOINT", "kiln.artifacts.store=filesystem");
  }

  @Test
  void springBootFindsTheAnalyzer() throws IOException {
    Properties factories =
        PropertiesLoaderUtils.loadProperties(
            new UrlResource(
                ArtifactStoreFailureAnalyzer.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toString()
                    + "META-INF/spring.factories"));

    assertThat(factories.getProperty(FailureAnalyzer.class.getName()))
        .isEqualTo(ArtifactStoreFailureAnalyzer.class.getName());
  }
}
