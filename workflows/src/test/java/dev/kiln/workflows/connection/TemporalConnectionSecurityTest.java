package dev.kiln.workflows.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificates made by openssl, as an operator makes them (docs/operations.md). */
class TemporalConnectionSecurityTest {

  @TempDir static Path dir;

  @BeforeAll
  static void makeCertificates() throws Exception {
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key");
    openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=kiln-test-ca",
        "-days",
        "2",
        "-out",
        "ca.pem");
    issue("client");
    // a second CA, whose certificates the first must not trust
    openssl(
        "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key");
    openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        "other.key",
        "-subj",
        "/CN=other",
        "-days",
        "2",
        "-out",
        "other.pem");
  }

  private static void issue(String name) throws Exception {
    openssl(
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        name + ".key");
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + name, "-out", name + ".csr");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        name + ".pem");
  }

  @Test
  void withoutSettingsTheConnectionStaysPlain() {
    WorkflowServiceStubsOptions options =
        TemporalConnectionSecurity.apply(
                WorkflowServiceStubsOptions.newBuilder(), TemporalTls.none(), null)
            .setTarget("temporal:7233")
            .build();

    assertThat(options.getSslContext()).isNull();
    assertThat(options.getEnableHttps()).isFalse();
  }

  @Test
  void aClientCertificateAndItsCaGiveTheStubsTheirOwnSslContext() {
    TemporalTls tls =
        new TemporalTls(
            false,
            dir.resolve("ca.pem"),
            dir.resolve("client.pem"),
            dir.resolve("client.key"),
            "temporal.kiln.internal");

    WorkflowServiceStubsOptions options =
        TemporalConnectionSecurity.apply(WorkflowServiceStubsOptions.newBuilder(), tls, null)
            .setTarget("10.0.0.1:7233")
            .build();

    assertThat(options.getSslContext()).isNotNull();
    assertThat(options.getSslContext().isClient()).isTrue();
    assertThat(options.getChannelInitializer()).isNotNull();
  }

  @Test
  void enabledWithoutFilesUsesTheJvmsTrustStore() {
    WorkflowServiceStubsOptions options =
        TemporalConnectionSecurity.apply(
                WorkflowServiceStubsOptions.newBuilder(),
                new TemporalTls(true, null, null, null, null),
                null)
            .setTarget("kiln.tmprl.cloud:7233")
            .build();

    assertThat(options.getEnableHttps()).isTrue();
    assertThat(options.getSslContext()).isNull();
  }

  @Test
  void theCaFileIsTrustedAloneNotBesideTheJvmDefaults() throws Exception {
    var trust = TemporalConnectionSecurity.trustManager(dir.resolve("ca.pem"));

    trust.checkServerTrusted(
        new X509Certificate[] {certificate("client.pem"), certificate("ca.pem")}, "ECDHE_ECDSA");
    assertThatThrownBy(
            () ->
                trust.checkServerTrusted(
                    new X509Certificate[] {certificate("other.pem")}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
    assertThat(trust.getAcceptedIssuers()).hasSize(1);
  }

  @Test
  void aCertificateWithoutItsKeyIsRefusedNamingBothSettings() {
    assertThatThrownBy(() -> new TemporalTls(false, null, dir.resolve("client.pem"), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kiln.temporal.tls.cert-file and kiln.temporal.tls.key-file")
        .hasMessageContaining("only cert-file is set");
  }

  @Test
  void aMissingFileStopsTheStartNamingItsSetting() {
    TemporalTls tls = new TemporalTls(false, dir.resolve("nowhere.pem"), null, null, null);

    assertThatThrownBy(
            () ->
                TemporalConnectionSecurity.apply(
                    WorkflowServiceStubsOptions.newBuilder(), tls, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kiln.temporal.tls.ca-file")
        .hasMessageContaining("nowhere.pem");
  }

  @Test
  void aKeyThatIsNotAKeyIsRefusedNamingTheFiles() {
    TemporalTls tls =
        new TemporalTls(false, null, dir.resolve("client.pem"), dir.resolve("ca.pem"), null);

    assertThatThrownBy(
            () ->
                TemporalConnectionSecurity.apply(
                    WorkflowServiceStubsOptions.newBuilder(), tls, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kiln.temporal.tls")
        .hasMessageContaining("client.pem");
  }

  @Test
  void theApiKeyIsReadAgainAtEachCallSoARotatedKeyNeedsNoRestart() throws IOException {
    Path keyFile = dir.resolve("api.key");
    Files.writeString(keyFile, "first-key\n");
    TemporalConnectionSecurity.apply(WorkflowServiceStubsOptions.newBuilder(), null, keyFile);
    var supplier = TemporalConnectionSecurity.apiKey(keyFile);

    assertThat(supplier.supply()).isEqualTo("first-key");
    Files.writeString(keyFile, "rotated-key");
    assertThat(supplier.supply()).isEqualTo("rotated-key");
  }

  @Test
  void anEmptyApiKeyFileStopsTheStart() throws IOException {
    Path keyFile = dir.resolve("empty.key");
    Files.writeString(keyFile, "\n");

    assertThatThrownBy(
            () ->
                TemporalConnectionSecurity.apply(
                    WorkflowServiceStubsOptions.newBuilder(), null, keyFile))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kiln.temporal.api-key-file")
        .hasMessageContaining("is empty");
  }

  private static X509Certificate certificate(String name) throws Exception {
    try (InputStream in = Files.newInputStream(dir.resolve(name))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + ": " + output);
    }
  }
}
