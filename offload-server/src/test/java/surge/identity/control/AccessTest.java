package surge.identity.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessTest {
  static Optional<Access> of(String method, String path) {
    return Access.of(method, path);
  }

  @Test
  void theOperatorPathsNeedAnOperatorHoweverTheyAreSpelled() {
    for (String p :
        new String[] {
          "/api/consent/export",
          "/api/consent/export/",
          "/api/consent/export/.",
          "/api/consent/export;x=1",
          "/api/consent//export",
          "/api/consent/./export",
          "/api/jobs/../consent/export",
          "/api/consent/%65xport",
          "/api/consent/export%2e",
          "/metrics",
          "/metrics/",
          "/openapi",
          "/openapi/ui",
          "/api/admin/tokens",
          "/api/admin/volunteer-keys/vk-1",
          "/admin",
          "/admin/",
          "/admin/api/summary",
          "//admin/",
        }) {
      Optional<Access> a = of("GET", p);
      if (p.equals("/api/consent/export%2e")) {
        // "export." is not the export: a user path, still closed to the anonymous.
        assertThat(a).as(p).contains(Access.USER);
      } else {
        assertThat(a).as(p).contains(Access.OPERATOR);
      }
    }
  }

  @Test
  void onlyTheNamedPublicPathsAreOpen() {
    assertThat(of("GET", "/health")).contains(Access.PUBLIC);
    assertThat(of("GET", "/volunteer")).contains(Access.PUBLIC);
    assertThat(of("GET", "/surge/banner.js")).contains(Access.PUBLIC);
    assertThat(of("GET", "/surge/project/demo")).contains(Access.PUBLIC);
    assertThat(of("GET", "/api/projects/demo")).contains(Access.PUBLIC);
    assertThat(of("POST", "/api/consent")).contains(Access.PUBLIC);
    assertThat(of("POST", "/api/consent/decline")).contains(Access.PUBLIC);
    assertThat(of("POST", "/api/consent/revoke")).contains(Access.PUBLIC);
    assertThat(of("OPTIONS", "/api/consent")).contains(Access.PUBLIC);
    String sha = "a".repeat(64);
    assertThat(of("GET", "/api/kernels/" + sha)).contains(Access.PUBLIC);
    assertThat(of("GET", "/webjars/uplot/1.6.30/dist/uPlot.esm.js")).contains(Access.PUBLIC);
    assertThat(of("POST", "/webjars/uplot/1.6.30/dist/uPlot.esm.js")).contains(Access.USER);
    assertThat(of("POST", "/api/kernels")).contains(Access.USER);
    assertThat(of("GET", "/api/kernels/" + sha + "/x")).contains(Access.USER);
    assertThat(of("GET", "/api/jobs")).contains(Access.USER);
    assertThat(of("POST", "/api/inputs")).contains(Access.USER);
    assertThat(of("GET", "/api/whoami")).contains(Access.USER);
    assertThat(of("GET", "/")).contains(Access.USER);
    assertThat(of("GET", "/api/consent")).contains(Access.USER);
    assertThat(of("GET", "/surge/../api/jobs")).contains(Access.USER);
  }

  @Test
  void pathsNoHonestClientSendsAreRefused() {
    assertThat(of("GET", "/api/consent%2fexport")).isEmpty();
    assertThat(of("GET", "/api/consent%5cexport")).isEmpty();
    assertThat(of("GET", "/api/%252e%252e/admin")).isEmpty();
    assertThat(of("GET", "/../admin")).isEmpty();
    assertThat(of("GET", "/api/%zz")).isEmpty();
    assertThat(of("GET", "/api/a%00b")).isEmpty();
    assertThat(of("GET", "relative")).isEmpty();
  }

  @Test
  void normalisingResolvesDotsAndDropsParametersAndTrailingSlashes() {
    assertThat(Access.normalize("/a/./b/../c/")).contains("/a/c");
    assertThat(Access.normalize("/a;jsessionid=1/b;x")).contains("/a/b");
    assertThat(Access.normalize("/")).contains("/");
    assertThat(Access.normalize("/a%20b")).contains("/a b");
  }
}
