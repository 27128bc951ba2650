package dev.kiln.workflows.repo;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * What kind of address a repository host resolves to. Only {@link #PUBLIC} addresses are fetched
 * from unless {@code kiln.repos.allow-hosts} allows the host: the repository URL comes from an API
 * caller, and a build worker that fetches from wherever it is told is a proxy into the network it
 * sits in (the metadata service at 169.254.169.254, the database next door, the worker's own
 * loopback).
 *
 * <p>IPv6 addresses that carry an IPv4 address (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible
 * {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) are judged by the IPv4
 * address they lead to.
 */
public enum AddressKind {
  PUBLIC("a public address"),
  LOOPBACK("a loopback address"),
  PRIVATE("a private address"),
  LINK_LOCAL("a link-local address"),
  MULTICAST("a multicast address"),
  UNSPECIFIED("the unspecified address"),
  RESERVED("a reserved address (broadcast, documentation, benchmarking or IETF use)");

  private final String description;

  AddressKind(String description) {
    this.description = description;
  }

  /** "a loopback address", for messages. */
  public String description() {
    return description;
  }

  /** Whether Kiln fetches from such an address without {@code kiln.repos.allow-hosts}. */
  public boolean isPublic() {
    return this == PUBLIC;
  }

  public static AddressKind of(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      return ofIpv4(bytes);
    }
    if (address instanceof Inet6Address) {
      return embeddedIpv4(bytes).map(AddressKind::ofIpv4).orElseGet(() -> ofIpv6(bytes));
    }
    return RESERVED;
  }

  /**
   * The IPv4 address an IPv6 address stands for, when it is one of the forms that carry one; the
   * address itself otherwise.
   */
  public static InetAddress effective(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    return embeddedIpv4(address.getAddress())
        .<InetAddress>map(
            v4 -> {
              try {
                return InetAddress.getByAddress(v4);
              } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are always an IPv4 address", e);
              }
            })
        .orElse(address);
  }

  private static AddressKind ofIpv4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    if (a0 == 0) {
      return UNSPECIFIED; // 0.0.0.0/8: "this network"; 0.0.0.0 itself reaches the local host
    }
    if (a0 == 127) {
      return LOOPBACK;
    }
    if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
      return PRIVATE;
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return PRIVATE; // 100.64/10, carrier-grade NAT: another network's private range
    }
    if (a0 == 169 && a1 == 254) {
      return LINK_LOCAL;
    }
    if (a0 >= 224 && a0 <= 239) {
      return MULTICAST;
    }
    if (a0 >= 240
        || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
        || (a0 == 198 && (a1 & 0xfe) == 18)
        || (a0 == 198 && a1 == 51 && a2 == 100)
        || (a0 == 203 && a1 == 0 && a2 == 113)) {
      return RESERVED; // 240/4 and broadcast, 192.0.0/24, TEST-NETs, 198.18/15
    }
    return PUBLIC;
  }

  private static AddressKind ofIpv6(byte[] b) {
    if (isZero(b, 0, 14)) {
      return b[15] == 0 ? UNSPECIFIED : b[15] == 1 ? LOOPBACK : RESERVED;
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    if (first == 0xff) {
      return MULTICAST;
    }
    if ((first & 0xfe) == 0xfc) {
      return PRIVATE; // fc00::/7, unique local
    }
    if (first == 0xfe && (second & 0xc0) == 0x80) {
      return LINK_LOCAL; // fe80::/10
    }
    if (first == 0xfe && (second & 0xc0) == 0xc0) {
      return PRIVATE; // fec0::/10, the deprecated site-local range
    }
    if (first == 0x20 && second == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) {
      return RESERVED; // 2001:db8::/32, documentation
    }
    if (first == 0x01 && second == 0 && isZero(b, 2, 7)) {
      return RESERVED; // 100::/64, discard
    }
    return PUBLIC;
  }

  private static Optional<byte[]> embeddedIpv4(byte[] b) {
    boolean mapped = isZero(b, 0, 9) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = isZero(b, 0, 11) && !isZero(b, 12, 14);
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    nat64 = nat64 && isZero(b, 4, 11);
    if (mapped || compatible || nat64) {
      return Optional.of(Arrays.copyOfRange(b, 12, 16));
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
      return Optional.of(Arrays.copyOfRange(b, 2, 6)); // 6to4
    }
    return Optional.empty();
  }

  private static boolean isZero(byte[] b, int from, int toInclusive) {
    for (int i = from; i <= toInclusive; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
