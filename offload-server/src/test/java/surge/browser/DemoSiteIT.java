package surge.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The demo site's server on its own: the page embeds the banner from the Surge server it was given,
 * under a strict Content-Security-Policy. (The banner in it is tested in the Banner*IT classes.)
 */
class DemoSiteIT {
  @Test
  void servesThePageWithTheEmbedLineAndAStrictPolicy() throws Exception {
    try (var site =
        new DemoSite(
            SurgeServer.freePort(),
            "http://localhost:8123",
            Path.of("target/it-data/demo-site").toAbsolutePath())) {
      var page = SurgeServer.send(HttpRequest.newBuilder(URI.create(site.url())).build());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body())
          .contains(
              "<script src=\"http://localhost:8123/surge/banner.js\" data-project=\"demo\""
                  + " defer></script>")
          .doesNotContain("{{");
      String csp = page.headers().firstValue("content-security-policy").orElseThrow();
      assertThat(csp)
          .contains("default-src 'none'")
          .contains("script-src 'self' http://localhost:8123 'wasm-unsafe-eval';")
          .contains("connect-src 'self' http://localhost:8123 ws://localhost:8123;")
          .contains("worker-src http://localhost:8123 blob:")
          .doesNotContain("unsafe-inline")
          .doesNotContain("'unsafe-eval'");
      var css =
          SurgeServer.send(HttpRequest.newBuilder(URI.create(site.url() + "site.css")).build());
      assertThat(css.headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
      var missing =
          SurgeServer.send(
              HttpRequest.newBuilder(URI.create(site.url() + "../etc/passwd")).build());
      assertThat(missing.statusCode()).isEqualTo(404);
    }
  }
}
