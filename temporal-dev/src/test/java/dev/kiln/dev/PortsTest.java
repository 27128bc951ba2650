package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
  void aFreePortIsOutsideTheKernelsEphemeralRangeWhereTheMachineLeavesRoom() {
    int[] ephemeral = Ports.ephemeralRange();
    assumeTrue(Ports.candidates(ephemeral).isPresent(), "no room outside the ephemeral range");

    int port = Ports.freePort();

    assertThat(port < ephemeral[0] || port > ephemeral[1])
        .as("port %d outside the ephemeral range %d-%d", port, ephemeral[0], ephemeral[1])
        .isTrue();
  }

  @Test
  void portsArePickedBelowTheEphemeralRangeElseAboveIt() {
    assertThat(Ports.candidates(new int[] {32768, 60999}))
        .hasValueSatisfying(range -> assertThat(range).containsExactly(10000, 32767));
    assertThat(Ports.candidates(new int[] {1024, 20000}))
        .hasValueSatisfying(range -> assertThat(range).containsExactly(20001, 65535));
  }

  @Test
  void aRangeLeavingFewerThanAThousandPortsOutsideLeavesThePickToTheKernel() {
    assertThat(Ports.candidates(new int[] {1024, 65535})).isEmpty();
    assertThat(Ports.candidates(new int[] {10999, 65000})).isEmpty();
  }

  @Test
  void theEphemeralRangeIsReadWhole() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    assumeTrue(Files.isReadable(range), "no " + range);
    String[] bounds = Files.readAllLines(range).get(0).trim().split("\\s+");

    assertThat(Ports.ephemeralRange())
        .containsExactly(Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1]));
  }
}
