package surge.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.browser.Browser.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The banner's volunteer and the page's visibility, in real headless Chromium against the real
 * server: a hidden page pauses it, a visible one resumes it. Helpers and the shared server: {@link
 * BannerPage}.
 */
class BannerVisibilityIT extends BannerPage {
  @Test
  void aHiddenPagePausesTheBannersVolunteerAndAVisibleOneResumes() throws Exception {
    String job = server.submit(server.uploadKernel("spin"), 2000, "200", "concat");
    try {
      inBanner("[data-surge=accept]").get(0).click();
      await(LONG, "tasks leased and done", () -> leased(job) > 0 && stat("tasksDone") >= 2);
      browser.js(
          "const control = document.querySelector('[data-surge=root]').shadowRoot"
              + ".querySelector('[data-surge=control]');"
              + " window.__states = [];"
              + " new MutationObserver(() => window.__states.push(control.getAttribute('data-state')))"
              + ".observe(control, {attributes: true, attributeFilter: ['data-state']});");
      browser.hidePage();
      long released =
          await(
              Duration.ofSeconds(1),
              "the hidden page to give its tasks back",
              () -> leased(job) == 0);
      System.out.printf("BannerVisibilityIT: hidden page released its tasks in %d ms%n", released);
      int doneWhileHidden = done(job);
      Thread.sleep(2000); // a window in which nothing may run
      assertThat(done(job)).isEqualTo(doneWhileHidden);

      browser.showPage();
      await(LONG, "work after the page is visible again", () -> done(job) > doneWhileHidden);
      await(
          LONG,
          "the control saying it runs again",
          () -> inBanner("[data-surge=status]").get(0).getText().contains("Computing"));
      assertThat(browser.js("return window.__states.join(' ')"))
          .as("the control's states while hidden and after")
          .asString()
          .startsWith("paused ")
          .endsWith(" running");
    } finally {
      server.cancel(job);
    }
  }
}
