package dev.kiln.workflows.repo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into its addresses. The system's resolver in production; tests give the policy
 * one they control, so that no test ever needs a name that leads off this machine.
 */
@FunctionalInterface
public interface HostResolver {

  /** The JVM's resolver (the C library's on Linux: {@code /etc/hosts}, then DNS). */
  HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

  /**
   * Looks nothing up: every name is left to be judged where it is resolved for a connection. For an
   * api whose resolver answers differently from the workers' (split-horizon DNS).
   */
  HostResolver NONE =
      host -> {
        throw new UnknownHostException(host + " (names are judged where the workers connect)");
      };

  /**
   * @param host a host name, never an address literal
   * @throws UnknownHostException the name does not resolve
   */
  List<InetAddress> resolve(String host) throws UnknownHostException;
}
