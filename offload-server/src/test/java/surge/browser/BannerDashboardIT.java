package surge.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.browser.Browser.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import surge.client.JobSpec;

/**
 * The admin's dashboard in a second real headless Chromium while the banner's volunteer works: jobs
 * with their Slurm JobId, volunteers, throughput and consents, live, under its strict
 * Content-Security-Policy. Helpers and the shared server: {@link BannerPage}.
 */
class BannerDashboardIT extends BannerPage {
  @Test
  void theDashboardShowsJobsVolunteersThroughputAndConsentsUnderItsPolicy() throws Exception {
    // Long enough (minutes) to be RUNNING still when the dashboard's browser is up on a loaded
    // machine: 400 tasks were done in 44 s once volunteers earned larger allowances. Cancelled
    // below.
    String job =
        server.submit(
            JobSpec.builder(server.uploadKernel("spin"), 2000)
                .args(List.of("150"))
                .name("wildfire-forecast")
                .slurmJobId("4242"),
            "concat");
    try (var admin = new Browser()) {
      inBanner("[data-surge=cpu-75]").get(0).click();
      inBanner("[data-surge=accept]").get(0).click();
      await(LONG, "a volunteer connected", () -> volunteersConnected() == 1);
      // Three throughput samples (one every 5 s) with work in them make a line, not a dot.
      await(
          LONG,
          "three throughput samples",
          () -> summary().getJsonArray("throughput").size() >= 3 && done(job) >= 5);

      admin.driver.executeCdpCommand(
          "Page.addScriptToEvaluateOnNewDocument", Map.of("source", PROBE));
      admin.driver.executeCdpCommand("Network.enable", Map.of());
      admin.driver.executeCdpCommand(
          "Network.setExtraHTTPHeaders",
          Map.of("headers", Map.of("Authorization", "Basic " + basicAuth())));
      admin.open(server.url() + "/admin/");
      try {
        await(
            LONG,
            "the job's row with its Slurm JobId",
            () ->
                admin
                    .driver
                    .findElement(By.id("jobs"))
                    .getText()
                    .matches("(?s).*" + job + " wildfire-forecast 4242 (RUNNING|QUEUED) .*"));
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + "; the dashboard said: "
                + admin.driver.findElement(By.id("updated")).getText()
                + "; its jobs: "
                + admin.driver.findElement(By.id("jobs")).getText(),
            e);
      }
      assertThat(admin.driver.findElement(By.id("volunteers")).getText()).isEqualTo("1");
      assertThat(Integer.parseInt(admin.driver.findElement(By.id("accepted")).getText()))
          .isPositive();
      assertThat(admin.js("return document.querySelector('#jobs progress').value"))
          .asString()
          .matches("[1-9]\\d*");
      assertThat(admin.driver.findElements(By.cssSelector("#chart .uplot canvas"))).isNotEmpty();
      assertThat(admin.driver.findElement(By.id("updated")).getText()).startsWith("updated");
      // Live: the done count moves without a reload.
      int shown = Integer.parseInt(admin.driver.findElement(By.id("done")).getText());
      await(
          Duration.ofSeconds(15),
          "the done count to move without a reload",
          () -> Integer.parseInt(admin.driver.findElement(By.id("done")).getText()) > shown);
      assertThat((List<?>) admin.js("return window.__surgeProbe.violations"))
          .as("CSP violations on the dashboard")
          .isEmpty();
      admin.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1100));
      admin.screenshot("dashboard");
    } finally {
      server.cancel(job);
    }
  }
}
