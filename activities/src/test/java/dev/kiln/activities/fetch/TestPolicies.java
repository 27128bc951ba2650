package dev.kiln.activities.fetch;

import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Repository policies for tests. None of them looks a name up in the machine's DNS: names resolve
 * through a map the test gives, or not at all.
 */
final class TestPolicies {

  private TestPolicies() {}

  /** {@code file://} and this machine's loopback allowed, as a test's own servers need. */
  static RepositoryPolicy localAndLoopback() {
    return new RepositoryPolicy(
        true, AllowedHosts.of(List.of("127.0.0.0/8", "::1")), HostResolver.NONE);
  }

  static RepositoryUrl url(String repo) {
    try {
      return localAndLoopback().check(repo);
    } catch (RepositoryRefusedException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Names map to address literals, which are parsed, never looked up. */
  static HostResolver resolver(Map<String, List<String>> names) {
    return host -> {
      List<String> literals = names.get(host);
      if (literals == null) {
        throw new UnknownHostException(host + " (not known to the test's resolver)");
      }
      List<InetAddress> addresses = new ArrayList<>();
      for (String literal : literals) {
        addresses.add(InetAddress.getByName(literal));
      }
      return addresses;
    };
  }
}
