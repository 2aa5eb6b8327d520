package surge.http;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Refuses a request body over its limit ({@link BodyLimits}) before reading it: by its
 * Content-Length at once, and a chunked body (no length) as soon as the bytes read pass the limit.
 * The endpoints read whole bodies into memory, so without this a 200 MB upload grew the heap by
 * about 300 MB before the endpoint's own size check answered 413.
 */
public class BodyLimitFilter extends HttpFilter {
  @Inject BodyLimits limits;

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
      throws IOException, ServletException {
    BodyLimits.Limit limit = limits.forPath(path(req));
    long declared = req.getContentLengthLong();
    if (declared > limit.bytes()) {
      // Closing the connection spares Payara from reading (and discarding) the rest of the body.
      resp.setHeader("Connection", "close");
      ErrorBody.send(resp, 413, limit.refusal(declared), limit.field());
      return;
    }
    // Without a Content-Length, HTTP/1.1 has a body only when it is chunked (Transfer-Encoding).
    boolean chunked = declared < 0 && req.getHeader("Transfer-Encoding") != null;
    chain.doFilter(chunked ? new Limited(req, limit) : req, resp);
  }

  private static String path(HttpServletRequest req) {
    String info = req.getPathInfo();
    return req.getServletPath() + (info == null ? "" : info);
  }

  /** A request whose body stream fails with {@link BodyTooLarge} past the limit. */
  private static final class Limited extends HttpServletRequestWrapper {
    private final BodyLimits.Limit limit;
    private ServletInputStream stream;

    Limited(HttpServletRequest request, BodyLimits.Limit limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new CountingStream(super.getInputStream(), limit);
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

  private static final class CountingStream extends ServletInputStream {
    private final ServletInputStream in;
    private final BodyLimits.Limit limit;
    private long read;

    CountingStream(ServletInputStream in, BodyLimits.Limit limit) {
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
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws BodyTooLarge {
      read += n;
      if (read > limit.bytes()) {
        throw new BodyTooLarge(limit);
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
