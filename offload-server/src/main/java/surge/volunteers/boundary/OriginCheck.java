package surge.volunteers.boundary;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.logging.Logger;
import surge.consent.control.Origins;

/**
 * Refuses the WebSocket handshake (403) of a page whose origin is not in SURGE_ALLOWED_ORIGINS. A
 * handshake without an Origin header is a headless volunteer: browsers always send one.
 */
public class OriginCheck extends ServerEndpointConfig.Configurator {
  private static final Logger LOG = Logger.getLogger(OriginCheck.class.getName());

  @Override
  public boolean checkOrigin(String origin) {
    // The WebSocket container makes configurators itself, without injection: the one class that
    // asks CDI for its control (ArchitectureTest allows only this).
    boolean ok = CDI.current().select(Origins.class).get().admits(origin);
    if (!ok) {
      LOG.fine(() -> "volunteer handshake from " + origin + " refused: not an allowed origin");
    }
    return ok;
  }
}
