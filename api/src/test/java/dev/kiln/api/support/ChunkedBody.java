package dev.kiln.api.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads a raw HTTP/1.1 response with a chunked body from a socket: the body, as UTF-8. */
public final class ChunkedBody {

  private ChunkedBody() {}

  /** Skips the status line and headers, then joins the chunks up to the last (empty) one. */
  public static String read(InputStream in) throws IOException {
    while (!line(in).isEmpty()) {
      // headers
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
      if (size == 0) {
        return body.toString(StandardCharsets.UTF_8);
      }
      body.write(in.readNBytes(size));
      line(in); // the CRLF after the chunk
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("response ended early");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
