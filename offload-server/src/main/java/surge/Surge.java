package surge;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.logging.Level;
import java.util.logging.Logger;
import surge.config.Settings;

/**
 * The deployed application's one {@link Server}, started with the application. If it cannot start
 * (no database, bad configuration) the deployment fails, so {@code /health} does not answer 200.
 */
@ApplicationScoped
public class Surge {
  private static final Logger LOG = Logger.getLogger(Surge.class.getName());
  private volatile Server server;

  void boot(@Observes @Initialized(ApplicationScoped.class) Object event) {
    server();
  }

  /** The server; read on every volunteer message, so no lock once it has started. */
  public Server server() {
    Server s = server;
    return s != null ? s : start();
  }

  private synchronized Server start() {
    if (server == null) {
      try {
        server = Server.start(Settings.fromEnvironment());
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
