package dev.kiln.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class LoopbackTrustTest {

  private static MockHttpServletRequest request(String peer, String host, String origin) {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/runs/1");
    request.setRemoteAddr(peer);
    if (host != null) {
      request.addHeader("Host", host);
    }
    if (origin != null) {
      request.addHeader("Origin", origin);
    }
    return request;
  }

  @Test
  void trustsCurlOnThisMachine() {
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "localhost:8080", null))).isTrue();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "127.0.0.1:8080", null))).isTrue();
    assertThat(LoopbackTrust.trusts(request("0:0:0:0:0:0:0:1", "[::1]:8080", null))).isTrue();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "LOCALHOST", null))).isTrue();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", null, null))).as("HTTP/1.0").isTrue();
  }

  @Test
  void trustsTheRunPageServedByItselfFollowingItsLog() {
    assertThat(
            LoopbackTrust.trusts(request("127.0.0.1", "localhost:8080", "http://localhost:8080")))
        .isTrue();
    assertThat(
            LoopbackTrust.trusts(request("127.0.0.1", "127.0.0.1:8080", "http://127.0.0.1:3000")))
        .isTrue();
  }

  @Test
  void refusesADnsRebindingPageWhoseHostIsItsOwnName() {
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "rebind.attacker.example:8080", null)))
        .isFalse();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "localhost.attacker.example", null)))
        .isFalse();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "127.0.0.1.nip.io:8080", null))).isFalse();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "0x7f.1:8080", null))).isFalse();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "localhost:80@evil", null))).isFalse();
  }

  @Test
  void refusesAPageOfAnotherOriginPostingToLocalhost() {
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "localhost:8080", "https://evil.example")))
        .isFalse();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "localhost:8080", "null"))).isFalse();
    assertThat(
            LoopbackTrust.trusts(
                request("127.0.0.1", "localhost:8080", "http://localhost.evil.example")))
        .isFalse();
    assertThat(LoopbackTrust.trusts(request("127.0.0.1", "localhost:8080", "file://localhost")))
        .isFalse();
  }

  @Test
  void refusesEveryPeerButLoopback() {
    assertThat(LoopbackTrust.trusts(request("192.0.2.10", "localhost:8080", null))).isFalse();
    assertThat(LoopbackTrust.trusts(request("::ffff:192.0.2.10", "localhost", null))).isFalse();
    assertThat(LoopbackTrust.trusts(request("::ffff:127.0.0.1", "localhost", null))).isTrue();
  }

  @Test
  void refusesWhatALocalProxyRelays() {
    MockHttpServletRequest proxied = request("127.0.0.1", "localhost:8080", null);
    proxied.addHeader("X-Forwarded-For", "198.51.100.7");
    assertThat(LoopbackTrust.trusts(proxied)).isFalse();
    MockHttpServletRequest forwarded = request("127.0.0.1", "localhost:8080", null);
    forwarded.addHeader("Forwarded", "for=198.51.100.7");
    assertThat(LoopbackTrust.trusts(forwarded)).isFalse();
  }
}
