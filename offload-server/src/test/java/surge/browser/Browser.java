package surge.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import surge.testing.Chromium;

/**
 * Debian's headless Chromium driven by Debian's chromedriver (nothing is downloaded), with the
 * flags every test uses ({@link Chromium}), one fresh profile per instance.
 */
final class Browser implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target/screenshots").toAbsolutePath();

  final ChromeDriver driver;
  private final Path profile;
  private String pageHandle;

  Browser() throws IOException {
    profile = Files.createTempDirectory(Path.of("target"), "chromium-");
    var options = new ChromeOptions();
    options.setBinary(Chromium.BINARY.toString());
    options.addArguments(Chromium.arguments(profile, "--window-size=1280,900"));
    var service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Chromium.DRIVER.toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
  }

  /** The profile directory this browser was started with. */
  Path profile() {
    return profile.toAbsolutePath();
  }

  /** Opens the page and remembers its tab. */
  void open(String url) {
    driver.get(url);
    pageHandle = driver.getWindowHandle();
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Runs an async script: the last argument is the callback. */
  Object jsAsync(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  /** Hides the page by bringing another tab to the front. */
  void hidePage() {
    driver.switchTo().newWindow(WindowType.TAB);
    driver.get("about:blank");
  }

  /** Brings the page's tab back to the front. */
  void showPage() {
    for (String handle : driver.getWindowHandles()) {
      if (!handle.equals(pageHandle)) {
        driver.switchTo().window(handle);
        driver.close();
      }
    }
    driver.switchTo().window(pageHandle);
  }

  Path screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path target = SCREENSHOTS.resolve(name + ".png");
    Files.copy(
        driver.getScreenshotAs(OutputType.FILE).toPath(),
        target,
        StandardCopyOption.REPLACE_EXISTING);
    return target;
  }

  /** Polls every 20 ms until the condition holds; fails naming what did not happen. */
  static long await(Duration limit, String what, Check condition) throws Exception {
    long start = System.nanoTime();
    long until = start + limit.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > until) {
        throw new AssertionError("timed out after " + limit + " waiting for " + what);
      }
      Thread.sleep(20);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** A condition that may need the network to tell. */
  @FunctionalInterface
  interface Check {
    boolean holds() throws Exception;
  }

  @Override
  public void close() throws IOException {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }
}
