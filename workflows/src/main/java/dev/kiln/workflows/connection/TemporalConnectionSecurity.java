package dev.kiln.workflows.connection;

import io.temporal.authorization.AuthorizationTokenSupplier;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Applies {@link TemporalTls} and an API key file to the service stubs of the api or a worker.
 * Everything is checked when the stubs are built, so a wrong path or a certificate without its key
 * stops the process at start, naming the setting, rather than at its first call to Temporal.
 */
public final class TemporalConnectionSecurity {

  private TemporalConnectionSecurity() {}

  /**
   * @param apiKeyFile a file holding an API key, sent as {@code Authorization: Bearer <key>} on
   *     every call (Temporal Cloud's API keys); read again at each call, so a rotated key needs no
   *     restart. {@code null}: none
   * @throws IllegalArgumentException naming the setting whose file cannot be read or used
   */
  public static WorkflowServiceStubsOptions.Builder apply(
      WorkflowServiceStubsOptions.Builder options, TemporalTls tls, Path apiKeyFile) {
    if (tls != null && tls.active()) {
      if (tls.caFile() != null || tls.mutual()) {
        options.setSslContext(sslContext(tls));
      } else {
        options.setEnableHttps(true);
      }
      if (tls.serverName() != null) {
        String serverName = tls.serverName();
        options.setChannelInitializer(channel -> channel.overrideAuthority(serverName));
      }
    }
    if (apiKeyFile != null) {
      readApiKey(apiKeyFile); // fail at start, not at the first call
      options.addApiKey(apiKey(apiKeyFile));
    }
    return options;
  }

  /** A supplier that reads the key from its file at each call. */
  static AuthorizationTokenSupplier apiKey(Path file) {
    return () -> readApiKey(file);
  }

  private static String readApiKey(Path file) {
    String key;
    try {
      key = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "kiln.temporal.api-key-file: cannot read " + file + " (" + e + ")", e);
    }
    if (key.isEmpty()) {
      throw new IllegalArgumentException("kiln.temporal.api-key-file: " + file + " is empty");
    }
    return key;
  }

  private static io.grpc.netty.shaded.io.netty.handler.ssl.SslContext sslContext(TemporalTls tls) {
    X509TrustManager trust = tls.caFile() == null ? null : trustManager(tls.caFile());
    byte[] cert = tls.mutual() ? read(tls.certFile(), "cert-file") : null;
    byte[] key = tls.mutual() ? read(tls.keyFile(), "key-file") : null;
    try {
      SimpleSslContextBuilder builder =
          tls.mutual()
              ? SimpleSslContextBuilder.forPKCS8(
                  new ByteArrayInputStream(cert), new ByteArrayInputStream(key))
              : SimpleSslContextBuilder.noKeyOrCertChain();
      if (trust != null) {
        builder.setTrustManager(trust);
      }
      return builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "kiln.temporal.tls: cannot use cert-file "
              + tls.certFile()
              + " with key-file "
              + tls.keyFile()
              + " (PEM, the key PKCS#8: BEGIN PRIVATE KEY): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Trusts exactly the certificates in {@code caFile} (PEM, one or more), not the JVM's defaults: a
   * private CA is the point of setting one.
   */
  static X509TrustManager trustManager(Path caFile) {
    try (InputStream in = open(caFile, "ca-file")) {
      Collection<? extends Certificate> cas =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (cas.isEmpty()) {
        throw new IllegalArgumentException(
            "kiln.temporal.tls.ca-file: " + caFile + " holds no PEM certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate ca : cas) {
        store.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new IllegalStateException("the JVM offers no X.509 trust manager");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "kiln.temporal.tls.ca-file: " + caFile + " is not a PEM certificate (" + e + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(Path file, String setting) {
    return new ByteArrayInputStream(read(file, setting));
  }

  private static byte[] read(Path file, String setting) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "kiln.temporal.tls." + setting + ": cannot read " + file + " (" + e + ")", e);
    }
  }
}
