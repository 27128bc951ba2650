package dev.kiln.api.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * The api's pages for browsers (the runs dashboard at {@code /}, the run page at {@code
 * /runs/{id}}): plain HTML, CSS and JavaScript under {@code src/main/resources/ui/}, no build step,
 * nothing loaded from elsewhere (users may have no internet). Each answer is one self-contained
 * document: the page's style and script are inlined with a nonce made for that answer, which is all
 * the Content-Security-Policy lets run. The pages carry no token: their requests to the api (runs,
 * the log stream) are same-origin and authenticated as the page itself was ({@code
 * docs/http-api.md}, "Pages in a browser").
 */
public final class Pages {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern SLOT = Pattern.compile("\\{\\{(\\w+)}}");
  private static final String CSS = resource("kiln.css");

  /** A page template and its script. */
  public enum Page {
    DASHBOARD("dashboard.html", "dashboard.js"),
    RUN("run.html", "run.js");

    private final String html;
    private final String script;

    Page(String html, String script) {
      this.html = resource(html);
      this.script = resource(script);
    }
  }

  private Pages() {}

  /**
   * The page with its slots ({@code {{name}}}) filled: {@code values} are inserted as they are
   * (escape them with {@link #esc} or {@link #json}); {@code nonce}, {@code css} and {@code script}
   * are the page's own. Values are not scanned for slots again.
   */
  public static ResponseEntity<String> answer(Page page, Map<String, String> values) {
    String nonce = nonce();
    Matcher slot = SLOT.matcher(page.html);
    StringBuilder html = new StringBuilder(page.html.length() + page.script.length() + 4096);
    while (slot.find()) {
      String name = slot.group(1);
      String value =
          switch (name) {
            case "nonce" -> nonce;
            case "css" -> CSS;
            case "script" -> page.script;
            default -> {
              String v = values.get(name);
              if (v == null) {
                throw new IllegalArgumentException("no value for {{" + name + "}}");
              }
              yield v;
            }
          };
      slot.appendReplacement(html, Matcher.quoteReplacement(value));
    }
    slot.appendTail(html);
    return ResponseEntity.ok()
        .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
        .header("Content-Security-Policy", contentSecurityPolicy(nonce))
        .body(html.toString());
  }

  /** A value for one response's Content-Security-Policy nonce: 128 random bits. */
  static String nonce() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * Nothing runs or loads but the page's own script and style (carrying {@code nonce}); it may
   * connect only to this api; it cannot be framed, post forms or change its base. Text from a build
   * (log lines, summaries, names) is escaped as well, so this is the second wall.
   */
  static String contentSecurityPolicy(String nonce) {
    return "default-src 'none'; script-src 'nonce-"
        + nonce
        + "'; style-src 'nonce-"
        + nonce
        + "'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
        + " frame-ancestors 'none'";
  }

  /** Escapes for HTML text and attribute values. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * JSON text made safe inside a {@code <script type="application/json">} element: no {@code <},
   * {@code >} or {@code &} appears as itself, so no {@code </script>} or comment can end it.
   */
  public static String json(String json) {
    return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
  }

  private static String resource(String name) {
    try (InputStream in = Pages.class.getResourceAsStream("/ui/" + name)) {
      if (in == null) {
        throw new IllegalStateException("ui/" + name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
