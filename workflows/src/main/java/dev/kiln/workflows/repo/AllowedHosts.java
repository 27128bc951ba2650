package dev.kiln.workflows.repo;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code kiln.repos.allow-hosts}: the hosts Kiln may fetch from although they are not public. Each
 * entry is a host name ({@code git.internal}), a name pattern whose {@code *.} stands for any
 * subdomain ({@code *.corp.example}), an address ({@code 10.1.2.3}, {@code fd00::7}) or a range
 * ({@code 10.0.0.0/8}, {@code fd00::/8}). A name entry allows whatever the name resolves to (the
 * connection still goes to exactly the addresses that were checked); an address or range allows
 * those addresses under any name.
 */
public final class AllowedHosts {

  private static final AllowedHosts NONE = new AllowedHosts(List.of(), List.of(), List.of());

  private final List<String> entries;
  private final List<String> names;
  private final List<Range> ranges;

  private AllowedHosts(List<String> entries, List<String> names, List<Range> ranges) {
    this.entries = List.copyOf(entries);
    this.names = List.copyOf(names);
    this.ranges = List.copyOf(ranges);
  }

  /** Only public addresses. */
  public static AllowedHosts none() {
    return NONE;
  }

  /**
   * @throws IllegalArgumentException naming the first entry that is neither a host name, an address
   *     nor a range
   */
  public static AllowedHosts of(List<String> entries) {
    if (entries == null || entries.isEmpty()) {
      return NONE;
    }
    List<String> kept = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Range> ranges = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      Optional<Range> range = Range.parse(entry);
      if (range.isPresent()) {
        ranges.add(range.get());
      } else if (entry.matches("(\\*\\.)?[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?")) {
        names.add(entry);
      } else {
        throw new IllegalArgumentException(
            "kiln.repos.allow-hosts: \""
                + raw
                + "\" is neither a host name, an address nor a range (10.0.0.0/8)");
      }
      kept.add(entry);
    }
    return new AllowedHosts(kept, names, ranges);
  }

  /** Whether {@code host} (lower case, as in the URL) is allowed by name. */
  boolean allowsName(String host) {
    String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    for (String name : names) {
      if (name.startsWith("*.") ? h.endsWith(name.substring(1)) : h.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an address, or the IPv4 address it carries, lies in an allowed address or range. */
  boolean allowsAddress(InetAddress address) {
    InetAddress effective = AddressKind.effective(address);
    return ranges.stream().anyMatch(r -> r.contains(address) || r.contains(effective));
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public String toString() {
    return entries.isEmpty() ? "(none)" : String.join(", ", entries);
  }

  /** An address with a prefix length: {@code 10.0.0.0/8}; a single address has the full length. */
  private record Range(byte[] network, int prefix) {

    static Optional<Range> parse(String entry) {
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      Optional<InetAddress> parsed =
          HostLiterals.isCanonicalIpv4(address)
              ? HostLiterals.ipv4Numeric(address)
              : HostLiterals.ipv6Bracketed(address.startsWith("[") ? address : "[" + address + "]");
      if (parsed.isEmpty()) {
        return Optional.empty();
      }
      byte[] bytes = parsed.get().getAddress();
      int prefix = bytes.length * 8;
      if (slash >= 0) {
        String length = entry.substring(slash + 1);
        if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > bytes.length * 8) {
          throw new IllegalArgumentException(
              "kiln.repos.allow-hosts: \"" + entry + "\" has no valid prefix length");
        }
        prefix = Integer.parseInt(length);
      }
      return Optional.of(new Range(bytes, prefix));
    }

    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
