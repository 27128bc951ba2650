package dev.kiln.workflows.repo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A resolver the test controls: names map to address literals, which {@link InetAddress} parses
 * without any lookup. Every other name is unknown, so no test asks the machine's DNS.
 */
public final class TestResolver implements HostResolver {

  private final Map<String, List<String>> names;

  public TestResolver(Map<String, List<String>> names) {
    this.names = names;
  }

  @Override
  public List<InetAddress> resolve(String host) throws UnknownHostException {
    List<String> literals = names.get(host);
    if (literals == null) {
      throw new UnknownHostException(host + " (not known to the test's resolver)");
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (String literal : literals) {
      if (!literal.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("not an address literal: " + literal);
      }
      addresses.add(InetAddress.getByName(literal));
    }
    return addresses;
  }
}
