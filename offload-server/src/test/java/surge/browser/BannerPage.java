package surge.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static surge.browser.Browser.await;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.interactions.Actions;
import surge.testing.SharedServer;

/**
 * What the Banner*IT classes share: the consent banner on the demo site (examples/site, strict CSP)
 * in real headless Chromium against the real server. Written against the banner's documented hooks:
 * buttons {@code [data-surge=accept|decline|stop]}, CPU choices {@code [data-surge-cpu=25|50|75]}
 * and the control {@code [data-surge=control]}; the banner loads {@code /surge/banner.js} and, on
 * accept, imports {@code /surge/runtime/browser/index.js} from the server. A probe added before any
 * page script counts every WebSocket and Worker constructed and every fetch, and records CSP
 * violations. One server ("banner", a {@link SharedServer}) serves every Banner*IT class; each
 * class starts the demo site, each test a fresh browser on it.
 */
abstract class BannerPage {
  static final Duration LONG = Duration.ofSeconds(90);
  static final String PASSWORD = "banner-it-" + Long.toHexString(System.nanoTime());
  static final String PROBE =
      """
      (() => {
        const probe = { sockets: [], workers: [], fetches: [], violations: [], console: [], errors: [] };
        window.__surgeProbe = probe;
        const count = (Real, list) => new Proxy(Real, {
          construct(target, args) { list.push(String(args[0])); return Reflect.construct(target, args); },
        });
        window.WebSocket = count(window.WebSocket, probe.sockets);
        window.Worker = count(window.Worker, probe.workers);
        const realFetch = window.fetch;
        window.fetch = async (input, init) => {
          const entry = { url: String(input?.url ?? input), method: init?.method ?? "GET",
            body: typeof init?.body === "string" ? init.body : null, status: null };
          probe.fetches.push(entry);
          const response = await realFetch.call(window, input, init);
          entry.status = response.status;
          if (entry.url.includes("/api/consent")) entry.text = await response.clone().text();
          return response;
        };
        document.addEventListener("securitypolicyviolation", (e) =>
          probe.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        for (const level of ["warn", "error"]) {
          const real = console[level];
          console[level] = (...args) => { probe.console.push(`${level}: ${args.join(" ")}`); real.apply(console, args); };
        }
        // A script or stylesheet that fails to load fires a non-bubbling error event on its element.
        window.addEventListener("error", (e) =>
          probe.errors.push(e.target?.src ?? e.target?.href ?? String(e.message)), true);
      })();
      """;

  /** The origin of the demo site (its port is picked before the server that must allow it). */
  static final int SITE_PORT = SurgeServer.freePort();

  /** One server for every Banner*IT class, allowing the demo site's origin. */
  @RegisterExtension
  static final SharedServer SHARED =
      new SharedServer(
          "banner",
          SurgeServer.settings(
              Map.of(
                  "SURGE_ALLOWED_ORIGINS",
                  "http://localhost:" + SITE_PORT,
                  "SURGE_ADMIN_PASSWORD",
                  PASSWORD,
                  "SURGE_LEASE",
                  "60s",
                  // The banner is under test here (one browser, one identity); verification has its
                  // own tests.
                  "SURGE_VERIFY",
                  "replicate=1")));

  static SurgeServer server;
  static DemoSite site;
  Browser browser;

  @BeforeAll
  static void start() throws Exception {
    server = SurgeServer.on(SHARED.server());
    site =
        new DemoSite(
            SITE_PORT, server.url(), Path.of("target/it-data/banner-site").toAbsolutePath());
  }

  @AfterAll
  static void stop() throws Exception {
    if (site != null) {
      site.close();
    }
  }

  @BeforeEach
  void openSite() throws Exception {
    browser = new Browser();
    browser.driver.executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument", Map.of("source", PROBE));
    browser.open(site.url());
    try {
      await(LONG, "the banner's accept button", () -> !inBanner("[data-surge=accept]").isEmpty());
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + loadReport() + "; page: " + pageText(), e);
    }
  }

  @AfterEach
  void closeBrowser() throws Exception {
    if (browser != null) {
      try {
        if (browser.driver.getCurrentUrl().startsWith(site.url())) {
          assertThat(probe("violations")).as("CSP violations").isEmpty();
        }
      } finally {
        browser.close();
      }
    }
  }

  /** What the page loaded and said: for a banner that did not show. */
  String loadReport() {
    return "requests: "
        + probe("fetches")
        + "; resources: "
        + browser.js(
            "return performance.getEntriesByType('resource').map(e => `${e.name} ${e.responseStatus}"
                + " ${Math.round(e.duration)} ms`)")
        + "; console: "
        + probe("console")
        + "; load errors: "
        + probe("errors")
        + "; CSP violations: "
        + probe("violations")
        + "; readyState: "
        + browser.js("return document.readyState");
  }

  String pageText() {
    Object text = browser.js("return document.body ? document.body.innerText.slice(0, 500) : ''");
    return String.valueOf(text);
  }

  List<?> probe(String what) {
    return (List<?>) browser.js("return window.__surgeProbe." + what);
  }

  int volunteersConnected() throws Exception {
    var metrics = SurgeServer.send(server.request("/metrics").build()).body();
    return metrics
        .lines()
        .filter(l -> l.startsWith("surge_volunteers_connected "))
        .mapToInt(l -> (int) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no surge_volunteers_connected in /metrics"));
  }

  /** The volunteer the banner started, through the runtime module it imported. */
  Object runtime(String expression) {
    return browser.jsAsync(
        "const done = arguments[arguments.length - 1];"
            + "import(arguments[0]).then((m) => { try { done(((v) => "
            + expression
            + ")(m.current())); } catch (e) { done(null); } }, (e) => done('error: ' + e));",
        server.url() + "/surge/runtime/browser/index.js");
  }

  /** Presses Tab until the element matching the selector has the focus, then the key. */
  /** The banner lives in the open shadow root of {@code [data-surge=root]}. */
  List<org.openqa.selenium.WebElement> inBanner(String css) {
    var hosts = browser.driver.findElements(By.cssSelector("[data-surge=root]"));
    if (hosts.isEmpty()) {
      return List.of();
    }
    return hosts.get(0).getShadowRoot().findElements(By.cssSelector(css));
  }

  /** Tabs until the focused element (inside the banner's shadow root too) matches, then presses. */
  void keyboardTo(String selector, CharSequence key) {
    var actions = new Actions(browser.driver);
    for (int i = 0; i < 60; i++) {
      if (Boolean.TRUE.equals(
          browser.js(
              "const a = document.activeElement;"
                  + " const e = (a && a.shadowRoot && a.shadowRoot.activeElement) || a;"
                  + " return !!e && e.matches(arguments[0]);",
              selector))) {
        actions.sendKeys(key).perform();
        return;
      }
      actions.sendKeys(Keys.TAB).perform();
    }
    throw new AssertionError("60 presses of Tab never reached " + selector);
  }

  String exactMontecarlo(String job) throws Exception {
    await(LONG, "job " + job + " to succeed", () -> server.succeeded(job));
    byte[] result = server.result(job);
    var whole =
        new ProcessBuilder(
                SurgeServer.KERNELS.resolve("native/montecarlo-whole").toString(), "16", "200000")
            .start();
    String expected = new String(whole.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(whole.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(result, StandardCharsets.UTF_8)).isEqualTo(expected);
    return expected;
  }

  /** Waits for the banner's animations (its fade-in) to end, for a screenshot. */
  void animationsDone() {
    browser.jsAsync(
        "const done = arguments[arguments.length - 1];"
            + " const root = document.querySelector('[data-surge=root]').shadowRoot;"
            + " Promise.all(root.getAnimations().map((a) => a.finished)).then(() => done(true),"
            + " () => done(false));");
  }

  /** The banner's volunteer's counter, or -1 while it has none. */
  double stat(String name) {
    Object value = runtime("v === null ? -1 : v.stats." + name);
    if (!(value instanceof Number n)) {
      throw new AssertionError("the runtime module answered " + value);
    }
    return n.doubleValue();
  }

  /** The token the banner got from POST /api/consent. */
  String consentToken() {
    String text =
        (String)
            browser.js(
                "return window.__surgeProbe.fetches.find(f => /\\/api\\/consent$/.test(f.url)"
                    + " && f.status < 300).text");
    return SurgeServer.json(text).getString("token");
  }

  /** Says hello with the token on a socket of its own and returns the server's close code. */
  int helloCloseCode(String token) throws Exception {
    var closed = new java.util.concurrent.CompletableFuture<Integer>();
    var socket =
        SurgeServer.HTTP
            .newWebSocketBuilder()
            .buildAsync(
                java.net.URI.create("ws://localhost:" + server.port + "/volunteer"),
                new java.net.http.WebSocket.Listener() {
                  @Override
                  public java.util.concurrent.CompletionStage<?> onClose(
                      java.net.http.WebSocket ws, int code, String reason) {
                    closed.complete(code);
                    return null;
                  }
                })
            .get(30, TimeUnit.SECONDS);
    socket.sendText(
        "{\"type\":\"hello\",\"protocol\":1,\"token\":\"%s\",\"agent\":\"banner-it\",\"workers\":1,\"features\":[]}"
            .formatted(token),
        true);
    return closed.get(30, TimeUnit.SECONDS);
  }

  int done(String job) throws Exception {
    return server.job(job).tasks().done();
  }

  int leased(String job) throws Exception {
    return server.job(job).tasks().leased();
  }

  String basicAuth() {
    return Base64.getEncoder()
        .encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  }

  jakarta.json.JsonObject summary() throws Exception {
    var response =
        SurgeServer.send(
            HttpRequest.newBuilder(server.uri("/admin/api/summary"))
                .header("Authorization", "Basic " + basicAuth())
                .build());
    assertThat(response.statusCode()).isEqualTo(200);
    return SurgeServer.json(response.body());
  }
}
