package dev.kiln.api.notify;

import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * Posts notifications. The client's DNS resolver is the repository policy: every connection goes
 * only to addresses {@link RepositoryPolicy#addresses} judged in the same lookup (no loopback,
 * private or link-local address unless {@code kiln.repos.allow-hosts} allows it), so a name that
 * resolved to a public address at registration and to an internal one now reaches nothing. No
 * proxy, no redirects, no retries of its own (Temporal retries), TLS certificates verified.
 */
final class OutboundHttp implements AutoCloseable {

  /** How much of an answer's body an error message quotes. */
  static final int QUOTED_BODY = 200;

  private final RepositoryPolicy policy;
  private final CloseableHttpClient client;
  private final Duration timeout;

  /** The answer: its status and the start of its body. */
  record Answer(int status, String body) {}

  /** The policy refused the target's host: no connection was made. */
  static final class Refused extends IOException {
    Refused(String reason) {
      super(reason);
    }
  }

  OutboundHttp(RepositoryPolicy policy, Duration timeout) {
    this.policy = policy;
    this.timeout = timeout;
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDnsResolver(new PolicyResolver(policy))
                    .setTlsSocketStrategy(DefaultClientTlsStrategy.createSystemDefault())
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(timeout))
                            .setSocketTimeout(Timeout.of(timeout))
                            .build())
                    .build())
            .disableRedirectHandling()
            .disableAuthCaching()
            .disableCookieManagement()
            .disableAutomaticRetries()
            .setUserAgent("Kiln")
            .build();
  }

  /**
   * @throws Refused the policy refuses the URL's host
   * @throws IOException no answer: refused or broken connection, timeout
   */
  Answer postJson(String url, Map<String, String> headers, byte[] body) throws IOException {
    URI uri = URI.create(url);
    judge(uri.getHost());
    HttpPost post = new HttpPost(uri);
    headers.forEach(post::setHeader);
    post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    post.setConfig(
        RequestConfig.custom()
            .setRedirectsEnabled(false)
            .setAuthenticationEnabled(false)
            .setResponseTimeout(Timeout.of(timeout))
            .setConnectionRequestTimeout(Timeout.of(timeout))
            .build());
    return client.execute(
        post,
        response -> {
          String quoted = "";
          if (response.getEntity() != null) {
            try (InputStream in = response.getEntity().getContent()) {
              quoted = new String(in.readNBytes(QUOTED_BODY), StandardCharsets.UTF_8);
            }
          }
          return new Answer(response.getCode(), quoted);
        });
  }

  /** An address literal never reaches the resolver: judged here too. */
  private void judge(String host) throws IOException {
    if (host == null) {
      throw new Refused("the URL has no host");
    }
    try {
      policy.addresses(host);
    } catch (RepositoryRefusedException e) {
      throw new Refused(e.reason());
    }
  }

  @Override
  public void close() {
    client.close(CloseMode.GRACEFUL);
  }

  /** The policy as the HTTP client's resolver. */
  private record PolicyResolver(RepositoryPolicy policy) implements DnsResolver {

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
      try {
        return policy.addresses(host).toArray(new InetAddress[0]);
      } catch (RepositoryRefusedException e) {
        // the connection fails like a name that does not resolve, with the policy's reason
        throw new UnknownHostException(e.reason());
      }
    }

    @Override
    public String resolveCanonicalHostname(String host) {
      return host;
    }
  }
}
