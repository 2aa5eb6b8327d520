package surge.ops.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import surge.dispatch.DispatchStats;
import surge.policies.DispatchPolicies;
import surge.policies.DwellAwareDispatch;
import surge.policies.SessionView;
import surge.policies.VolunteerProfile;

class DwellFitMetricsTest {
  private static Metrics metrics() {
    return new Metrics(() -> new DispatchStats(0, 0, 0, 0, 0, 0, 0, 0, 0), () -> 0);
  }

  private static String text(Metrics m) {
    return new String(m.scrape(), StandardCharsets.UTF_8);
  }

  @Test
  void theBrowserFitMovesOffItsPriorWithBrowserDeparturesOnly() {
    var policy = new DwellAwareDispatch(2, Duration.ofMinutes(5));
    var m = metrics();
    m.gaugeDwellFit(policy);
    assertThat(text(m))
        .contains("surge_dispatch_dwell_fit{kind=\"browser\",param=\"samples\"} 0.0")
        .contains("surge_dispatch_dwell_fit{kind=\"browser\",param=\"scale_seconds\"} 90.0")
        .contains("surge_dispatch_dwell_fit{kind=\"machine\",param=\"scale_seconds\"} 1800.0");

    long now = 1_000_000_000L;
    for (long stayed :
        new long[] {5_000, 12_000, 20_000, 3_000, 40_000, 8_000, 2_000, 15_000, 30_000, 6_000}) {
      policy.departed(
          new SessionView(
              "b",
              new VolunteerProfile(1, "node"),
              SessionView.Kind.BROWSER,
              now - stayed,
              now,
              0,
              1,
              Double.NaN,
              Double.NaN),
          true);
    }
    String after = text(m);
    assertThat(after)
        .contains("surge_dispatch_dwell_fit{kind=\"browser\",param=\"samples\"} 10.0")
        .contains("surge_dispatch_dwell_fit{kind=\"machine\",param=\"samples\"} 0.0")
        .contains("surge_dispatch_dwell_fit{kind=\"machine\",param=\"scale_seconds\"} 1800.0")
        .doesNotContain("surge_dispatch_dwell_fit{kind=\"browser\",param=\"scale_seconds\"} 90.0");
  }

  @Test
  void otherPoliciesExposeNoFit() {
    var m = metrics();
    m.gaugeDwellFit(DispatchPolicies.named("async", 2, Duration.ofMinutes(5)));
    assertThat(text(m)).doesNotContain("surge_dispatch_dwell_fit");
  }
}
