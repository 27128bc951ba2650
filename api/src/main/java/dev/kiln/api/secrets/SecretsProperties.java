package dev.kiln.api.secrets;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code kiln.secrets.*}: the key build secrets are encrypted with at rest. Without either, the api
 * stores no secrets ({@code PUT /repos/{id}/secrets/{name}} says so) and steps that name one fail.
 *
 * @param key the base64 of 32 random bytes ({@code openssl rand -base64 32}), for example from the
 *     {@code KILN_SECRETS_KEY} environment variable; wins over {@code keyFile}
 * @param keyFile a file holding such a key; the dev stack makes one in its home on first start
 */
@ConfigurationProperties("kiln.secrets")
public record SecretsProperties(String key, Path keyFile) {

  @Override
  public String toString() {
    return "SecretsProperties[key=" + (key == null ? null : "***") + ", keyFile=" + keyFile + "]";
  }
}
