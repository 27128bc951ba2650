package dev.kiln.api.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds query strings for links the api hands out. Values are form-encoded, so that a {@code +}
 * (as in {@code git+ssh://}) survives the server's decoding; {@code :}, {@code /} and {@code @},
 * legal in a query, stay readable ({@code ?step=gate:unit}).
 */
public final class QueryStrings {

  private QueryStrings() {}

  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8)
        .replace("%3A", ":")
        .replace("%2F", "/")
        .replace("%40", "@");
  }

  /** {@code path?k=v&…} for the entries in iteration order, or just {@code path}. */
  public static String link(String path, Map<String, ?> params) {
    StringJoiner query = new StringJoiner("&");
    params.forEach((k, v) -> query.add(encode(k) + "=" + encode(String.valueOf(v))));
    return query.length() == 0 ? path : path + "?" + query;
  }
}
