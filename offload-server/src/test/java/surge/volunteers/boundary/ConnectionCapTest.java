package surge.volunteers.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionCapTest {
  @Test
  void aTenthOfTheOpenFileLimitAndAtLeast512FilesAreKeptForEverythingElse() {
    assertThat(ConnectionCap.forOpenFileLimit(20_000)).isEqualTo(18_000);
    assertThat(ConnectionCap.forOpenFileLimit(65_536)).isEqualTo(58_983);
    assertThat(ConnectionCap.forOpenFileLimit(4_096)).isEqualTo(3_584);
    assertThat(ConnectionCap.forOpenFileLimit(1_024)).isEqualTo(512);
    assertThat(ConnectionCap.forOpenFileLimit(100)).isEqualTo(64);
  }

  @Test
  void anUnknownLimitCapsNothing() {
    assertThat(ConnectionCap.forOpenFileLimit(0)).isEqualTo(Integer.MAX_VALUE);
    assertThat(ConnectionCap.forOpenFileLimit(-1)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void thisProcessHasACapBelowItsOpenFileLimit() {
    var os =
        (com.sun.management.UnixOperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    assertThat(ConnectionCap.forThisProcess())
        .isPositive()
        .isLessThan((int) Math.min(Integer.MAX_VALUE, os.getMaxFileDescriptorCount()));
  }
}
