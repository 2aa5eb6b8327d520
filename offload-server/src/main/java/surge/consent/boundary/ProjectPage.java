package surge.consent.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import surge.consent.control.Consents;
import surge.consent.control.Project;

/**
 * {@code GET /surge/project/{id}}: the plain page the banner links to, saying who asks, what runs,
 * what it costs, how to stop and what is recorded.
 */
@WebServlet("/surge/project/*")
public class ProjectPage extends HttpServlet {
  @Inject Consents consents;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String id = Optional.ofNullable(req.getPathInfo()).orElse("/").substring(1);
    Optional<Project> found = consents.projects().find(id);
    resp.setCharacterEncoding("UTF-8");
    resp.setContentType("text/html");
    resp.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (found.isEmpty()) {
      resp.setStatus(404);
      resp.getWriter().write("<!doctype html><title>Not found</title><p>No such project.</p>\n");
      return;
    }
    Project p = found.get();
    String levels = String.join(", ", p.cpuLevels().stream().map(l -> l + "%").toList());
    resp.getWriter()
        .write(
            """
            <!doctype html>
            <html lang="en">
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>%1$s: volunteer computing</title>
            <h1>%1$s</h1>
            <h2>Who asks</h2>
            <p>%2$s runs this project on Surge: it sends small computations to the browsers of
            visitors who agree, to finish urgent work sooner.</p>
            <h2>What runs</h2>
            <p>%3$s</p>
            <p>Each task is a WebAssembly program run in a background worker of your browser. It
            cannot see the page, your files, your cookies or anything else on your device; it gets
            numbers in and gives numbers out.</p>
            <h2>What it costs you</h2>
            <p>Some of your processor's time while the page is open, at the level you choose
            (%4$s), and a little network traffic. It pauses when the tab is hidden or the battery
            is low, and stops when you leave the page.</p>
            <h2>How to stop</h2>
            <p>Close the page, or withdraw your consent in the site's banner: the server stops
            sending tasks at once and takes back the ones in progress.</p>
            <h2>What is recorded</h2>
            <p>No personal data. The server signs a token that records the site, this project, the
            revision of this request (%5$d), the processor level and the time, and keeps the same
            for audit with a random id and, if you withdraw, the time you did. Declines are only
            counted, per site and day.</p>
            </html>
            """
                .formatted(
                    html(p.name()), html(p.centre()), html(p.purpose()), levels, p.revision()));
  }

  private static String html(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
