package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * deploy/nginx/surge.conf in front of Surge on Payara Micro, with a certificate made for the test:
 * HTTPS and the volunteers' WebSocket (WSS) go through it, plain HTTP only redirects, and the
 * dashboard's password is refused when it arrives over plain HTTP from another host.
 */
@ExtendWith(ArquillianExtension.class)
class TlsProxyIT {
  private static final Path REPO = Path.of(System.getProperty("surge.it.repo", ".."));
  private static final String PASSWORD = "it-admin-password";

  @Deployment(testable = false)
  @TargetsContainer("edge")
  static WebArchive war() {
    return SurgeWar.forContainer("edge");
  }

  @ArquillianResource URL base;
  private Path dir;
  private Process nginx;
  private int tlsPort;
  private int httpPort;
  private HttpClient https;

  @BeforeEach
  void startNginx() throws Exception {
    dir = Files.createTempDirectory(Path.of("target"), "nginx-").toAbsolutePath();
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        dir.resolve("key.pem").toString(),
        "-out",
        dir.resolve("cert.pem").toString());
    tlsPort = freePort();
    httpPort = freePort();
    String site =
        Files.readString(REPO.resolve("deploy/nginx/surge.conf"))
            .replace("@SERVER_NAME@", "localhost")
            .replace("@TLS_PORT@", "127.0.0.1:" + tlsPort)
            .replace("@HTTP_PORT@", "127.0.0.1:" + httpPort)
            .replace("@CERT@", dir.resolve("cert.pem").toString())
            .replace("@KEY@", dir.resolve("key.pem").toString())
            .replace("@SURGE@", "127.0.0.1:" + base.getPort());
    Files.writeString(dir.resolve("surge.conf"), site);
    // The smallest main configuration around the site file, all its files under the test's dir.
    Files.writeString(
        dir.resolve("nginx.conf"),
        String.join(
            "\n",
            "daemon off;",
            "worker_processes 1;",
            "pid " + dir.resolve("nginx.pid") + ";",
            "error_log " + dir.resolve("error.log") + " info;",
            "events { worker_connections 64; }",
            "http {",
            "  access_log " + dir.resolve("access.log") + ";",
            "  client_body_temp_path " + dir.resolve("body") + ";",
            "  proxy_temp_path " + dir.resolve("proxy") + ";",
            "  include " + dir.resolve("surge.conf") + ";",
            "}",
            ""));
    dir.toFile().setWritable(true, false);
    nginx =
        new ProcessBuilder(
                "nginx",
                "-p",
                dir.toString(),
                "-e",
                dir.resolve("error.log").toString(),
                "-c",
                dir.resolve("nginx.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    https = HttpClient.newBuilder().sslContext(trusting(dir.resolve("cert.pem"))).build();
    Api.eventually(
        Duration.ofSeconds(20),
        () -> {
          try {
            assertThat(send(https, "https://localhost:" + tlsPort + "/health").statusCode())
                .isEqualTo(200);
          } catch (Exception notYet) {
            throw new AssertionError("nginx does not answer yet: " + notYet, notYet);
          }
        });
  }

  @AfterEach
  void stopNginx() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void httpsReachesSurgeWithHstsAndPlainHttpOnlyRedirects() throws Exception {
    var health = send(https, "https://localhost:" + tlsPort + "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"UP\"");
    assertThat(health.headers().firstValue("Strict-Transport-Security"))
        .hasValueSatisfying(v -> assertThat(v).contains("max-age="));
    var plain = send(HttpClient.newHttpClient(), "http://localhost:" + httpPort + "/admin/");
    assertThat(plain.statusCode()).isEqualTo(301);
    assertThat(plain.headers().firstValue("Location"))
        .hasValueSatisfying(l -> assertThat(l).startsWith("https://"));
  }

  @Test
  void aVolunteerSaysHelloOverWss() throws Exception {
    String token = new Api(base).consentToken();
    var welcome = new CompletableFuture<String>();
    var socket =
        https
            .newWebSocketBuilder()
            .buildAsync(
                URI.create("wss://localhost:" + tlsPort + "/volunteer"),
                new WebSocket.Listener() {
                  private final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      welcome.complete(text.toString());
                      text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                  }
                })
            .get(20, TimeUnit.SECONDS);
    socket
        .sendText(
            "{\"type\":\"hello\",\"protocol\":1,\"token\":\""
                + token
                + "\",\"agent\":\"tls-it\",\"workers\":1,\"features\":[]}",
            true)
        .get(10, TimeUnit.SECONDS);
    assertThat(welcome.get(20, TimeUnit.SECONDS)).contains("\"type\":\"welcome\"");
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }

  @Test
  void theAdminPasswordIsAcceptedOverHttpsAndRefusedInClearFromAnotherHost() throws Exception {
    var viaTls = send(https, "https://localhost:" + tlsPort + "/admin/", Api.admin(PASSWORD));
    assertThat(viaTls.statusCode()).as(viaTls.body()).isEqualTo(200);

    String lan = nonLoopbackAddress().orElseThrow(() -> new AssertionError("no LAN address"));
    var inClear =
        send(
            HttpClient.newHttpClient(),
            "http://" + lan + ":" + base.getPort() + "/admin/",
            Api.admin(PASSWORD));
    assertThat(inClear.statusCode()).as(inClear.body()).isEqualTo(403);
    assertThat(inClear.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(inClear.body()).contains("https");
  }

  private static HttpResponse<String> send(HttpClient client, String uri, String... headers)
      throws Exception {
    var request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext trusting(Path pem) throws Exception {
    var store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      store.setCertificateEntry(
          "surge-it", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    var context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static Optional<String> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (nic.isUp() && !nic.isLoopback()) {
        for (var address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            return Optional.of(address.getHostAddress());
          }
        }
      }
    }
    return Optional.empty();
  }

  private static int freePort() throws Exception {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
  }
}
