package dev.kiln.activities.fetch;

import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URL;
import java.time.Duration;
import java.util.Locale;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;

/**
 * JGit's HTTP connections for repository fetches, over one HTTP client whose DNS resolver is the
 * repository policy: each connection, including each redirect JGit follows, goes only to addresses
 * {@link RepositoryPolicy#addresses} judged in the same lookup. Nothing resolves the name again
 * between the check and the connection, so DNS rebinding cannot slip another address in.
 *
 * <p>The client connects directly (JVM proxy settings are not used, since a proxy would resolve the
 * name itself), always verifies TLS certificates and host names, and leaves redirects,
 * authentication and compression to JGit, as JGit's own JDK connection does.
 */
public final class PinnedHttpConnectionFactory implements AutoCloseable {

  private final RepositoryPolicy policy;
  private final CloseableHttpClient client;
  private final Duration timeout;

  /**
   * @param timeout how long connecting, and each read, may take
   */
  public PinnedHttpConnectionFactory(RepositoryPolicy policy, Duration timeout) {
    this.policy = policy;
    this.timeout = timeout;
    DnsResolver resolver = new PolicyResolver(policy);
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDnsResolver(resolver)
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
            .disableContentCompression()
            .disableAutomaticRetries()
            .build();
  }

  /**
   * The connections of one fetch of {@code repository}: a connection to another host (a redirect)
   * carries no {@code Authorization} header, whatever JGit asks for.
   */
  public HttpConnectionFactory forRepository(RepositoryUrl repository) {
    return new HttpConnectionFactory() {
      @Override
      public HttpConnection create(URL url) throws IOException {
        return create(url, Proxy.NO_PROXY);
      }

      @Override
      public HttpConnection create(URL url, Proxy proxy) throws IOException {
        String scheme = url.getProtocol().toLowerCase(Locale.ROOT);
        String host = url.getHost().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
          throw new RefusedHostException(host, "scheme \"" + scheme + "://\" is not allowed");
        }
        if (url.getUserInfo() != null) {
          throw new RefusedHostException(host, "a URL with a user name or password");
        }
        // judged here too, so that an address literal is refused even if the client never asks
        // the resolver for one
        judge(host);
        return new PinnedHttpConnection(client, url, sameHost(repository, host), timeout);
      }
    };
  }

  private void judge(String host) throws IOException {
    try {
      policy.addresses(host);
    } catch (RepositoryRefusedException e) {
      throw RefusedHostException.of(host, e);
    }
  }

  private static boolean sameHost(RepositoryUrl repository, String host) {
    String own = repository.host();
    return host.equals(own) || ("[" + host + "]").equals(own);
  }

  @Override
  public void close() {
    client.close(CloseMode.GRACEFUL);
  }

  /** The policy as the HTTP client's resolver. */
  private record PolicyResolver(RepositoryPolicy policy) implements DnsResolver {

    @Override
    public InetAddress[] resolve(String host) throws java.net.UnknownHostException {
      try {
        return policy.addresses(host).toArray(new InetAddress[0]);
      } catch (RepositoryRefusedException e) {
        throw RefusedHostException.of(host, e);
      }
    }

    /** Only asked for SPNEGO, which Kiln does not use: the name as it is. */
    @Override
    public String resolveCanonicalHostname(String host) {
      return host;
    }
  }
}
