package dev.kiln.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket: the request line and headers go out exactly as written (no client
 * library normalises {@code /a/../b}, refuses a {@code Host} header or re-encodes {@code %2f}), for
 * tests of path spellings and of the {@code Host} a DNS-rebinding page would send. (The api's tests
 * have the same client; the two modules share no test code.)
 */
final class RawHttp {

  private final int port;

  RawHttp(int port) {
    this.port = port;
  }

  /** A response: status, headers (lower-case names) and the body as text. */
  record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * @param body sent as {@code application/json} unless {@code headers} name another type
   * @param headers name, value, name, value…; a {@code Host} here replaces the default one
   */
  Response send(String method, String target, String body, String... headers) {
    StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
    boolean host = false;
    boolean type = false;
    for (int i = 0; i < headers.length; i += 2) {
      host |= headers[i].equalsIgnoreCase("Host");
      type |= headers[i].equalsIgnoreCase("Content-Type");
      request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (!host) {
      request.append("Host: localhost:").append(port).append("\r\n");
    }
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      if (!type) {
        request.append("Content-Type: application/json\r\n");
      }
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      return parse(socket.getInputStream().readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Response parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    byte[] bodyBytes =
        end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
    String body =
        "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))
            ? dechunk(bodyBytes)
            : new String(bodyBytes, StandardCharsets.UTF_8);
    return new Response(status, headers, body);
  }

  private static String dechunk(byte[] chunked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = new java.io.ByteArrayInputStream(chunked);
    try {
      while (true) {
        StringBuilder size = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
          if (c != '\r') {
            size.append((char) c);
          }
        }
        if (size.isEmpty()) {
          break;
        }
        int n = Integer.parseInt(size.toString().split(";")[0].trim(), 16);
        if (n == 0) {
          break;
        }
        out.write(in.readNBytes(n));
        in.read(); // \r
        in.read(); // \n
      }
    } catch (IOException | NumberFormatException e) {
      // a truncated body: keep what was read
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
