package dev.kiln.workflows.connection;

import java.nio.file.Path;

/**
 * TLS on the connection to the Temporal frontend ({@code kiln.temporal.tls.*}), the same settings
 * for the api and the workers. Any file set turns TLS on; {@code enabled} alone is TLS checked
 * against the JVM's trust store (a frontend with a public certificate, as Temporal Cloud's).
 *
 * @param enabled TLS even when no file is set
 * @param caFile PEM certificates of the CA(s) the server's certificate must chain to; unset: the
 *     JVM's default trust store
 * @param certFile this client's certificate chain (PEM), for mutual TLS; needs {@code keyFile}
 * @param keyFile the private key of {@code certFile}, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}, as
 *     {@code openssl genpkey} writes it)
 * @param serverName the name the server's certificate must carry when it differs from the host of
 *     {@code kiln.temporal.address} (an address given as an IP, a proxy in between)
 */
public record TemporalTls(
    boolean enabled, Path caFile, Path certFile, Path keyFile, String serverName) {

  public TemporalTls {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException(
          "kiln.temporal.tls.cert-file and kiln.temporal.tls.key-file go together: mutual TLS"
              + " needs the client certificate and its private key, but only "
              + (certFile == null ? "key-file" : "cert-file")
              + " is set");
    }
    if (serverName != null && serverName.isBlank()) {
      serverName = null;
    }
  }

  /** No TLS: the plain gRPC connection of a Temporal server on a trusted network. */
  public static TemporalTls none() {
    return new TemporalTls(false, null, null, null, null);
  }

  /** Whether the connection uses TLS at all. */
  public boolean active() {
    return enabled || caFile != null || certFile != null || serverName != null;
  }

  /** Whether this client presents a certificate of its own. */
  public boolean mutual() {
    return certFile != null;
  }
}
