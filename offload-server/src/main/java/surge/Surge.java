package surge;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import surge.config.Settings;

/**
 * Starts the deployed application's one {@link Server} with the application and closes it with the
 * application. If it cannot start (no database, a bad setting) the deployment fails with the
 * message naming the setting, so {@code /health} does not answer 200. No boundary sees this class:
 * {@link Parts} hands out the parts.
 */
@ApplicationScoped
public class Surge {
  private static final Logger LOG = Logger.getLogger(Surge.class.getName());
  private final Config config;
  private volatile Server server;

  @Inject
  Surge(Config config) {
    this.config = config;
  }

  /** For the container's proxy only. */
  protected Surge() {
    this.config = null;
  }

  void boot(@Observes @Initialized(ApplicationScoped.class) Object event) {
    server();
  }

  /** The server; read for every injection of a part, so no lock once it has started. */
  Server server() {
    Server s = server;
    return s != null ? s : start();
  }

  private synchronized Server start() {
    if (server == null) {
      try {
        server = Server.start(Settings.from(config));
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "Surge could not start: " + e.getMessage(), e);
        throw e;
      }
    }
    return server;
  }

  @PreDestroy
  synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }
}
