package dev.kiln.workflows.repo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Host names that are addresses. Besides the dotted quad {@code 127.0.0.1} and bracketed IPv6
 * {@code [::1]}, the C library's resolver (which the JVM asks on Linux) reads numbers the way
 * {@code inet_aton} does: {@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1} and {@code 127.1}
 * are all 127.0.0.1. Such spellings hide an address from anything that compares host names, so
 * {@link #ipv4Numeric} recognises every one of them.
 */
final class HostLiterals {

  private static final Pattern CANONICAL_IPV4 =
      Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern HEX = Pattern.compile("0[xX][0-9A-Fa-f]*");
  private static final Pattern OCTAL = Pattern.compile("0[0-7]+");
  private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]*");

  private HostLiterals() {}

  /** Whether {@code host} is written as four decimal numbers, each 0 to 255. */
  static boolean isCanonicalIpv4(String host) {
    if (!CANONICAL_IPV4.matcher(host).matches()) {
      return false;
    }
    for (String part : host.split("\\.")) {
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * The IPv4 address {@code inet_aton} reads in {@code host} (one to four parts, each decimal,
   * octal with a leading {@code 0} or hexadecimal with {@code 0x}; the last part fills the
   * remaining bytes), or empty when it is not a number at all. A trailing dot is ignored, as the
   * resolver ignores it.
   */
  static Optional<InetAddress> ipv4Numeric(String host) {
    String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (h.isEmpty() || h.startsWith(".") || h.contains("..")) {
      return Optional.empty();
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length > 4) {
      return Optional.empty();
    }
    long[] values = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      Long value = number(parts[i]);
      if (value == null) {
        return Optional.empty();
      }
      values[i] = value;
    }
    long address = 0;
    for (int i = 0; i < values.length - 1; i++) {
      if (values[i] > 255) {
        return Optional.empty();
      }
      address |= values[i] << (8 * (3 - i));
    }
    long last = values[values.length - 1];
    if (last >= 1L << (8 * (5 - values.length))) {
      return Optional.empty();
    }
    return Optional.of(ipv4(address | last));
  }

  /** The address inside {@code [...]}, or empty when it is not an IPv6 literal. */
  static Optional<InetAddress> ipv6Bracketed(String host) {
    if (!host.startsWith("[") || !host.endsWith("]")) {
      return Optional.empty();
    }
    String inner = host.substring(1, host.length() - 1);
    if (!inner.contains(":") || !IPV6_CHARS.matcher(inner).matches()) {
      return Optional.empty();
    }
    try {
      // a literal of these characters only is parsed, never looked up
      return Optional.of(InetAddress.getByName(inner));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** The address written as it is in a URL: {@code 127.0.0.1}, {@code [::1]}. */
  static String format(InetAddress address) {
    String text = address.getHostAddress();
    return text.contains(":") ? "[" + text.toLowerCase(Locale.ROOT) + "]" : text;
  }

  private static Long number(String part) {
    if (HEX.matcher(part).matches()) {
      String hex = part.substring(2);
      if (hex.isEmpty()) {
        return 0L;
      }
      return hex.length() > 8 ? null : Long.valueOf(hex, 16);
    }
    if (OCTAL.matcher(part).matches()) {
      return part.length() > 12 ? null : Long.valueOf(part, 8);
    }
    if (DECIMAL.matcher(part).matches()) {
      return part.length() > 10 ? null : Long.valueOf(part);
    }
    return null;
  }

  private static InetAddress ipv4(long address) {
    byte[] bytes = {
      (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address
    };
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
  }
}
