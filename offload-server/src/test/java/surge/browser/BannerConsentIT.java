package surge.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.browser.Browser.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

/**
 * The visitor's choices in the consent banner on the demo site, in real headless Chromium against
 * the real server: declining starts nothing; accepting (with the keyboard alone) runs tasks whose
 * merged result is exact; the chosen CPU level is consented and held; stopping ends the work within
 * a second and the server sees the revocation. Helpers and the shared server: {@link BannerPage}.
 */
class BannerConsentIT extends BannerPage {
  @Test
  void declineStartsNoWebSocketAndNoWorker() throws Exception {
    animationsDone();
    browser.screenshot("banner");
    inBanner("[data-surge=decline]").get(0).click();
    Thread.sleep(3000); // a window in which nothing may start
    assertThat(probe("sockets")).isEmpty();
    assertThat(probe("workers")).isEmpty();
    assertThat(
            browser.js(
                "return performance.getEntriesByType('resource').map(e => e.name)"
                    + ".filter(n => n.includes('/surge/runtime/') || n.endsWith('/api/consent'))"))
        .asList()
        .isEmpty();
    assertThat(volunteersConnected()).isZero();
  }

  @Test
  void acceptWithTheKeyboardAloneRunsTasksAndTheMergedResultIsExact() throws Exception {
    String job = server.submit(server.uploadKernel("montecarlo"), 16, "200000", "sum");
    keyboardTo("[data-surge=accept]", Keys.ENTER);
    exactMontecarlo(job);
    assertThat(probe("sockets")).hasSize(1);
    assertThat(probe("fetches").toString()).contains("/api/consent");
    await(
        Duration.ofSeconds(5),
        "the control counting the page's 16 tasks",
        () -> inBanner("[data-surge=progress]").get(0).getText().startsWith("16 tasks done"));
    animationsDone();
    browser.screenshot("banner-control");
  }

  @Test
  void theLevelChosenInTheBannerIsConsentedAndHeld() throws Exception {
    String job = server.submit(server.uploadKernel("spin"), 5000, "50", "concat");
    try {
      inBanner("[data-surge=cpu-25]").get(0).click();
      inBanner("[data-surge=accept]").get(0).click();
      await(LONG, "the consent POST", () -> probe("fetches").toString().contains("\"cpu\":25"));
      await(LONG, "tasks done in the page", () -> stat("tasksDone") >= 3);
      String sample =
          "v === null ? null : [v.stats.busyMillis, performance.now(), v.stats.workers]";
      List<?> before = (List<?>) runtime(sample);
      Thread.sleep(8000); // the measurement window, not a wait for a condition
      List<?> after = (List<?>) runtime(sample);
      double busy = ((Number) after.get(0)).doubleValue() - ((Number) before.get(0)).doubleValue();
      double wall = ((Number) after.get(1)).doubleValue() - ((Number) before.get(1)).doubleValue();
      double workers = ((Number) after.get(2)).doubleValue();
      double level = 100 * busy / (wall * workers);
      System.out.printf(
          "BannerConsentIT: 25 %% chosen in the banner: %.0f workers busy %.1f %% of %.1f s%n",
          workers, level, wall / 1000);
      assertThat(level).isBetween(22.5, 27.5);
    } finally {
      server.cancel(job);
    }
  }

  @Test
  void stopEndsWorkWithinASecondAndTheServerSeesTheRevocation() throws Exception {
    String job = server.submit(server.uploadKernel("spin"), 2000, "300", "concat");
    try {
      inBanner("[data-surge=accept]").get(0).click();
      await(LONG, "tasks leased to the page", () -> leased(job) > 0);
      await(LONG, "a volunteer connected", () -> volunteersConnected() == 1);
      assertThat(runtime("v !== null && v.activity")).isEqualTo("running");
      if (!inBanner("[data-surge=stop]").get(0).isDisplayed()) {
        inBanner("[data-surge=control]").get(0).click();
      }
      inBanner("[data-surge=stop]").get(0).click();
      long released =
          await(Duration.ofSeconds(1), "the tasks back on the server", () -> leased(job) == 0);
      long disconnected =
          await(Duration.ofSeconds(1), "the volunteer gone", () -> volunteersConnected() == 0);
      System.out.printf(
          "BannerConsentIT: stop released the tasks in %d ms, socket closed by %d ms%n",
          released, released + disconnected);
      try {
        await(
            Duration.ofSeconds(5),
            "the revocation answered",
            () ->
                probe("fetches").stream()
                    .map(f -> (Map<?, ?>) f)
                    .anyMatch(
                        f ->
                            String.valueOf(f.get("url")).endsWith("/api/consent/revoke")
                                && String.valueOf(f.get("status")).matches("2\\d\\d")));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; requests: " + probe("fetches"), e);
      }
      assertThat(runtime("v === null")).isEqualTo(true);
      assertThat(helloCloseCode(consentToken()))
          .as("a hello with the revoked token")
          .isEqualTo(1008);
      int done = done(job);
      Thread.sleep(2000); // a window in which nothing may run
      assertThat(done(job)).isEqualTo(done);
    } finally {
      server.cancel(job);
    }
  }
}
