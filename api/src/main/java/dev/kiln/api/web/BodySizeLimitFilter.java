package dev.kiln.api.web;

import dev.kiln.api.config.KilnProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies: 1 MiB on the public API, a larger cap for worker log batches, none for
 * artifact uploads and local submissions (the artifact store enforces {@code
 * kiln.artifacts.max-size} and {@code kiln.submissions.max-bytes} while it streams). A declared
 * Content-Length over the cap is refused before anything is read; a chunked body is counted as it
 * is read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 40)
public class BodySizeLimitFilter extends OncePerRequestFilter {

  private static final Pattern INTERNAL_LOGS = Pattern.compile("^/internal/runs/[^/]+/logs$");
  private static final Pattern INTERNAL_ARTIFACTS =
      Pattern.compile("^/internal/runs/[^/]+/artifacts$");

  private final long publicLimit;
  private final long logBatchLimit;
  private final ProblemResponses problems;

  public BodySizeLimitFilter(KilnProperties properties, ProblemResponses problems) {
    this.publicLimit = properties.http().maxBodySize().toBytes();
    this.logBatchLimit = properties.internal().maxLogBatchSize().toBytes();
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long limit = limitFor(RequestPaths.of(request));
    if (limit < 0) {
      chain.doFilter(request, response);
      return;
    }
    if (request.getContentLengthLong() > limit) {
      problems.write(
          request,
          response,
          HttpStatus.CONTENT_TOO_LARGE,
          new BodyTooLargeException(limit).detail());
      return;
    }
    chain.doFilter(new LimitedRequest(request, limit), response);
  }

  private long limitFor(String uri) {
    if (INTERNAL_ARTIFACTS.matcher(uri).matches() || uri.equals(ApiPaths.SUBMISSIONS)) {
      return -1;
    }
    if (INTERNAL_LOGS.matcher(uri).matches()) {
      return logBatchLimit;
    }
    return publicLimit;
  }

  static String human(long bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }

  private static final class LimitedRequest extends HttpServletRequestWrapper {

    private final long limit;
    private ServletInputStream stream;

    LimitedRequest(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new LimitedInputStream(super.getInputStream(), limit);
      }
      return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
      String encoding = getCharacterEncoding();
      Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }
  }

  private static final class LimitedInputStream extends ServletInputStream {

    private final ServletInputStream in;
    private final long limit;
    private long count;

    LimitedInputStream(ServletInputStream in, long limit) {
      this.in = in;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws BodyTooLargeException {
      count += n;
      if (count > limit) {
        throw new BodyTooLargeException(limit);
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }
  }
}
