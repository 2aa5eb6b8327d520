package surge.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CleartextPasswordFilterTest {
  @Test
  void httpsIsAlwaysAccepted() {
    assertThat(CleartextPasswordFilter.overTls(true, "203.0.113.7", null)).isTrue();
  }

  @Test
  void plainHttpFromAnotherHostIsRefused() {
    assertThat(CleartextPasswordFilter.overTls(false, "203.0.113.7", null)).isFalse();
    assertThat(CleartextPasswordFilter.overTls(false, "203.0.113.7", "https"))
        .as("a forwarded-proto header from anywhere but loopback proves nothing")
        .isFalse();
    assertThat(CleartextPasswordFilter.overTls(false, "localhost.example", null)).isFalse();
  }

  @Test
  void loopbackIsAcceptedUnlessItsProxyForwardedPlainHttp() {
    assertThat(CleartextPasswordFilter.overTls(false, "127.0.0.1", null)).isTrue();
    assertThat(CleartextPasswordFilter.overTls(false, "0:0:0:0:0:0:0:1", null)).isTrue();
    assertThat(CleartextPasswordFilter.overTls(false, "127.0.0.1", "https")).isTrue();
    assertThat(CleartextPasswordFilter.overTls(false, "127.0.0.1", "http")).isFalse();
  }
}
