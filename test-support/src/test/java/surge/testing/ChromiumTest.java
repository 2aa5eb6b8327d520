package surge.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChromiumTest {
  @Test
  void theFlagsAreTheOneListOfChromiumFlagsJson() {
    assertThat(Chromium.FLAGS)
        .startsWith("--headless=new")
        .contains("--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage")
        .doesNotHaveDuplicates()
        .allSatisfy(f -> assertThat(f).startsWith("--"))
        .noneSatisfy(f -> assertThat(f).startsWith("--user-data-dir"));
  }

  @Test
  void argumentsAddTheProfileThenTheTestsOwn() {
    var args = Chromium.arguments(Path.of("/tmp/p"), "--window-size=1280,900");
    assertThat(args.subList(0, Chromium.FLAGS.size())).isEqualTo(Chromium.FLAGS);
    assertThat(args.subList(Chromium.FLAGS.size(), args.size()))
        .containsExactly("--user-data-dir=/tmp/p", "--window-size=1280,900");
  }
}
