package surge.drmaa;

import org.ggf.drmaa.Session;
import org.ggf.drmaa.SessionFactory;

/**
 * The entry point {@code SessionFactory.getFactory()} finds through {@code
 * META-INF/services/org.ggf.drmaa.SessionFactory} in surge.jar (or the system property {@code
 * org.ggf.drmaa.SessionFactory=surge.drmaa.SlurmSessionFactory}). There is one session per factory,
 * as the binding specifies.
 */
public final class SlurmSessionFactory extends SessionFactory {
  private Session session;

  @Override
  public synchronized Session getSession() {
    if (session == null) {
      session = new SlurmSession();
    }
    return session;
  }
}
