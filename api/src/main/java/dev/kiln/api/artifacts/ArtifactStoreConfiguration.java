package dev.kiln.api.artifacts;

import dev.kiln.api.config.KilnProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The store {@code kiln.artifacts.store} names; an S3 bucket is checked before the api starts. */
@Configuration(proxyBeanMethods = false)
class ArtifactStoreConfiguration {

  @Bean
  ArtifactStore artifactStore(KilnProperties properties) {
    return switch (properties.artifacts().store()) {
      case FILESYSTEM -> new FilesystemArtifactStore(properties);
      case S3 -> S3ArtifactStore.connect(properties);
    };
  }
}
