package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

  @Test
  void aFreePortIsBindableOnLoopbackAndNeverHandedOutTwice() throws Exception {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = Ports.freePort();
      assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
      try (ServerSocket socket = new ServerSocket()) {
        assertThatCode(
                () -> socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1))
            .doesNotThrowAnyException();
      }
    }
  }

  @Test
  void aFreePortIsOutsideTheKernelsEphemeralRange() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    if (!Files.isReadable(range)) {
      return;
    }
    String[] bounds = Files.readAllLines(range).get(0).trim().split("\\s+");
    int low = Integer.parseInt(bounds[0]);
    int high = Integer.parseInt(bounds[1]);

    int port = Ports.freePort();

    assertThat(port < low || port > high)
        .as("port %d outside the ephemeral range %d-%d", port, low, high)
        .isTrue();
  }
}
