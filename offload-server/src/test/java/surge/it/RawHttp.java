package surge.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upload over a plain socket that reads the answer while the body is still being sent, so a test
 * sees whether the server answered before the body arrived (the JDK client waits for its whole body
 * first).
 */
final class RawHttp {
  private static final int BLOCK = 64 * 1024;

  record Answer(int status, Map<String, String> headers, byte[] body, long bodyBytesSent) {
    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }

    JsonObject json() {
      try (var r = Json.createReader(new ByteArrayInputStream(body))) {
        return r.readObject();
      }
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
    }
  }

  private RawHttp() {}

  /** POSTs {@code length} zero bytes with that Content-Length. */
  static Answer post(URL base, String path, String type, long length) throws Exception {
    return exchange(base, path, type, length, false);
  }

  /** POSTs {@code length} zero bytes chunked, without a Content-Length. */
  static Answer postChunked(URL base, String path, String type, long length) throws Exception {
    return exchange(base, path, type, length, true);
  }

  private static Answer exchange(URL base, String path, String type, long length, boolean chunked)
      throws Exception {
    try (var socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: "
              + base.getHost()
              + ":"
              + base.getPort()
              + "\r\nAuthorization: Bearer "
              + Api.OPERATOR_TOKEN
              + "\r\nContent-Type: "
              + type
              + "\r\n"
              + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + length + "\r\n")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      var sent = new AtomicLong();
      Thread writer =
          new Thread(
              () -> {
                byte[] block = new byte[BLOCK];
                try {
                  while (sent.get() < length) {
                    int n = (int) Math.min(BLOCK, length - sent.get());
                    if (chunked) {
                      out.write((Integer.toHexString(n) + "\r\n").getBytes());
                    }
                    out.write(block, 0, n);
                    if (chunked) {
                      out.write("\r\n".getBytes());
                    }
                    sent.addAndGet(n);
                  }
                  if (chunked) {
                    out.write("0\r\n\r\n".getBytes());
                  }
                  out.flush();
                } catch (IOException closed) {
                  // the server answered and closed the connection: stop sending
                }
              });
      writer.setDaemon(true);
      writer.start();
      InputStream in = socket.getInputStream();
      String status = line(in);
      long sentWhenAnswered = sent.get();
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      byte[] body;
      if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else {
        body = in.readAllBytes();
      }
      socket.close();
      writer.join(30_000);
      return new Answer(Integer.parseInt(status.split(" ")[1]), headers, body, sentWhenAnswered);
    }
  }

  private static String line(InputStream in) throws IOException {
    var bytes = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the connection closed in the middle of a line: " + bytes);
      }
      if (b != '\r') {
        bytes.write(b);
      }
    }
    return bytes.toString(StandardCharsets.ISO_8859_1);
  }
}
