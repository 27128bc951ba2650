package dev.kiln.api.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;

/**
 * Which requests the dev stack trusts without a token: those a program on this machine sent to this
 * machine. The peer address alone is not enough, because a web page in a browser on this machine
 * can make requests from loopback too:
 *
 * <ul>
 *   <li>a page on another site sends {@code Origin: https://that.site} (browsers send it with every
 *       cross-origin POST, PUT and DELETE, and with fetches that ask for a response);
 *   <li>a page that rebinds its own DNS name to 127.0.0.1 sends {@code Host: its.name}, and is then
 *       same-origin with the api in the browser's eyes, so only {@code Host} gives it away.
 * </ul>
 *
 * So a request is trusted when its peer is loopback, its {@code Host} names a loopback address (or
 * {@code localhost}) or is absent (HTTP/1.0 from a program; a browser always sends one), its {@code
 * Origin}, if any, is a loopback origin, and it carries no {@code Forwarded} or {@code
 * X-Forwarded-For} header (a proxy on this machine relays others' requests).
 */
final class LoopbackTrust {

  private static final Pattern IPV4_LOOPBACK =
      Pattern.compile("127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

  private LoopbackTrust() {}

  static boolean trusts(HttpServletRequest request) {
    return isLoopbackAddress(request.getRemoteAddr())
        && request.getHeader("Forwarded") == null
        && request.getHeader("X-Forwarded-For") == null
        && isLoopbackHostOrNone(request.getHeader(HttpHeaders.HOST))
        && isLoopbackOriginOrNone(request.getHeader(HttpHeaders.ORIGIN));
  }

  /** The peer, as the socket says: {@code 127.x.y.z} or {@code ::1} (any spelling). */
  static boolean isLoopbackAddress(String address) {
    if (address == null) {
      return false;
    }
    String a = address.toLowerCase(Locale.ROOT);
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    if (IPV4_LOOPBACK.matcher(a).matches()) {
      return true;
    }
    return a.equals("::1")
        || a.equals("0:0:0:0:0:0:0:1")
        || a.matches("(0{1,4}:){7}0{0,3}1")
        || a.startsWith("::ffff:") && IPV4_LOOPBACK.matcher(a.substring(7)).matches();
  }

  static boolean isLoopbackHostOrNone(String host) {
    return host == null || isLoopbackHost(host);
  }

  /** {@code Host}: {@code localhost}, {@code 127.x.y.z} or {@code [::1]}, with any port. */
  static boolean isLoopbackHost(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    String name;
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0 || !portOrNothing(h.substring(end + 1))) {
        return false;
      }
      name = h.substring(0, end + 1);
    } else {
      int colon = h.indexOf(':');
      if (colon >= 0 && !portOrNothing(h.substring(colon))) {
        return false;
      }
      name = colon < 0 ? h : h.substring(0, colon);
    }
    return name.equals("localhost") || isLoopbackAddress(name);
  }

  /**
   * No {@code Origin} (curl, scripts, same-origin GETs), or {@code http://} or {@code https://} to
   * a loopback host. {@code Origin: null} (a sandboxed frame, a file) is not loopback.
   */
  static boolean isLoopbackOriginOrNone(String origin) {
    if (origin == null) {
      return true;
    }
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || uri.getRawAuthority() == null
          || uri.getRawUserInfo() != null
          || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        return false;
      }
      return isLoopbackHost(uri.getRawAuthority());
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean portOrNothing(String rest) {
    return rest.isEmpty() || rest.matches(":[0-9]{1,5}");
  }
}
