package dev.kiln.activities.fetch;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.util.Timeout;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.util.TemporaryBuffer;

/**
 * One HTTP request of a JGit fetch, sent with the policy-pinned client of {@link
 * PinnedHttpConnectionFactory}. JGit drives it like {@link java.net.HttpURLConnection}: it sets the
 * method and headers, may write a body, then reads the status, headers and body. The request goes
 * out on the first read.
 *
 * <p>An answer other than 2xx is read (at most {@value #MAX_ERROR_BODY} bytes) and its connection
 * released at once: JGit may never read it, and a held connection would block the pool.
 */
final class PinnedHttpConnection implements HttpConnection {

  static final int MAX_ERROR_BODY = 64 * 1024;

  /** Headers the client sets from the request itself. */
  private static final Set<String> CLIENT_HEADERS =
      Set.of("host", "content-length", "transfer-encoding", "connection");

  private final CloseableHttpClient client;
  private final URL url;
  private final boolean mayAuthenticate;
  private final Map<String, String> requestHeaders = new LinkedHashMap<>();
  private String method = "GET";
  private int readTimeoutMillis;
  private int connectTimeoutMillis;
  private TemporaryBuffer body;
  private ClassicHttpResponse response;
  private byte[] errorBody;

  /**
   * @param mayAuthenticate whether an {@code Authorization} header may go to this URL's host: only
   *     to the repository's own, never to a host a redirect led to
   */
  PinnedHttpConnection(
      CloseableHttpClient client, URL url, boolean mayAuthenticate, Duration timeout) {
    this.client = client;
    this.url = url;
    this.mayAuthenticate = mayAuthenticate;
    this.readTimeoutMillis = (int) timeout.toMillis();
    this.connectTimeoutMillis = readTimeoutMillis;
  }

  @Override
  public void connect() throws IOException {
    send();
  }

  private void send() throws IOException {
    if (response != null) {
      return;
    }
    HttpUriRequestBase request;
    try {
      request = new HttpUriRequestBase(method, url.toURI());
    } catch (URISyntaxException e) {
      throw new IOException("not a URI: " + e.getReason(), e);
    }
    requestHeaders.forEach(
        (name, value) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (!CLIENT_HEADERS.contains(lower)
              && (mayAuthenticate || !lower.equals("authorization"))) {
            request.setHeader(name, value);
          }
        });
    if (body != null) {
      body.close();
      request.setEntity(new InputStreamEntity(body.openInputStream(), body.length(), null));
    }
    request.setConfig(
        RequestConfig.custom()
            .setRedirectsEnabled(false)
            .setAuthenticationEnabled(false)
            .setResponseTimeout(Timeout.ofMilliseconds(readTimeoutMillis))
            .setConnectionRequestTimeout(Timeout.ofMilliseconds(connectTimeoutMillis))
            .build());
    try {
      response = client.executeOpen(null, request, HttpClientContext.create());
    } finally {
      if (body != null) {
        body.destroy();
      }
    }
    if (response.getCode() / 100 != 2) {
      errorBody = readAtMost(response.getEntity());
      response.close();
    }
  }

  private static byte[] readAtMost(HttpEntity entity) throws IOException {
    if (entity == null) {
      return new byte[0];
    }
    try (InputStream in = entity.getContent()) {
      return in.readNBytes(MAX_ERROR_BODY);
    }
  }

  @Override
  public int getResponseCode() throws IOException {
    send();
    return response.getCode();
  }

  @Override
  public String getResponseMessage() throws IOException {
    send();
    return response.getReasonPhrase();
  }

  @Override
  public InputStream getInputStream() throws IOException {
    send();
    if (errorBody != null) {
      return new ByteArrayInputStream(errorBody);
    }
    HttpEntity entity = response.getEntity();
    InputStream content = entity == null ? InputStream.nullInputStream() : entity.getContent();
    return new FilterInputStream(content) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          response.close();
        }
      }
    };
  }

  @Override
  public Map<String, List<String>> getHeaderFields() {
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (response != null) {
      for (Header header : response.getHeaders()) {
        fields.computeIfAbsent(header.getName(), k -> new ArrayList<>()).add(header.getValue());
      }
    }
    return Collections.unmodifiableMap(fields);
  }

  @Override
  public List<String> getHeaderFields(String name) {
    return getHeaderFields().getOrDefault(name, List.of());
  }

  @Override
  public String getHeaderField(String name) {
    Header header = response == null ? null : response.getFirstHeader(name);
    return header == null ? null : header.getValue();
  }

  @Override
  public String getContentType() {
    return getHeaderField("Content-Type");
  }

  @Override
  public int getContentLength() {
    String length = getHeaderField("Content-Length");
    try {
      return length == null ? -1 : Integer.parseInt(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public URL getURL() {
    return url;
  }

  @Override
  public void setRequestProperty(String key, String value) {
    requestHeaders.put(key, value);
  }

  @Override
  public void setRequestMethod(String method) {
    this.method = method;
  }

  @Override
  public String getRequestMethod() {
    return method;
  }

  @Override
  public void setUseCaches(boolean useCaches) {
    // nothing is cached
  }

  @Override
  public void setConnectTimeout(int timeout) {
    if (timeout > 0) {
      connectTimeoutMillis = timeout;
    }
  }

  @Override
  public void setReadTimeout(int timeout) {
    if (timeout > 0) {
      readTimeoutMillis = timeout;
    }
  }

  /** Redirects are JGit's to follow (each through the policy), never the client's. */
  @Override
  public void setInstanceFollowRedirects(boolean followRedirects) {}

  @Override
  public void setDoOutput(boolean doOutput) {}

  @Override
  public void setFixedLengthStreamingMode(int contentLength) {}

  @Override
  public void setChunkedStreamingMode(int chunkLength) {}

  /** The body is kept (in memory, then a temporary file) until the request goes out. */
  @Override
  public OutputStream getOutputStream() {
    if (body == null) {
      body = new TemporaryBuffer.LocalFile(null);
    }
    return body;
  }

  @Override
  public boolean usingProxy() {
    return false;
  }

  /** JGit asks this only for {@code http.sslVerify=false}, which Kiln does not allow. */
  @Override
  public void configure(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
    throw new UnsupportedOperationException(
        "Kiln always verifies repositories' TLS certificates (http.sslVerify=false is not"
            + " supported)");
  }

  @Override
  public void setHostnameVerifier(HostnameVerifier hostnameVerifier) {
    throw new UnsupportedOperationException(
        "Kiln always verifies repositories' TLS host names (http.sslVerify=false is not"
            + " supported)");
  }
}
