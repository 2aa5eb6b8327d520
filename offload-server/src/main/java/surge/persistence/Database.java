package surge.persistence;

import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;

/**
 * The server's database: Hibernate on H2 (a file in the data directory, the default) or PostgreSQL
 * (by {@code SURGE_DB_URL}). Bootstrapped by the application rather than as a container persistence
 * unit, so the same code runs in unit tests, and Payara's JPA deployer (and its class transformers)
 * stay out of the way.
 */
public final class Database implements AutoCloseable {
  private final SessionFactory sessions;
  private final String url;

  private Database(SessionFactory sessions, String url) {
    this.sessions = sessions;
    this.url = url;
  }

  public static Database open(String url, String user, String password, List<Class<?>> entities) {
    var props = new Properties();
    props.put("hibernate.connection.url", url);
    props.put("hibernate.connection.username", user);
    props.put("hibernate.connection.password", password);
    props.put(
        "hibernate.connection.provider_class",
        "org.hibernate.hikaricp.internal.HikariCPConnectionProvider");
    props.put("hibernate.hikari.maximumPoolSize", "8");
    props.put("hibernate.hikari.minimumIdle", "1");
    props.put("hibernate.hikari.poolName", "surge");
    // Named, not discovered: under Payara, DriverManager does not see drivers inside the WAR.
    driverFor(url).ifPresent(d -> props.put("hibernate.hikari.driverClassName", d));
    // Schema: created and extended at start. See the README for what this does not migrate.
    props.put("hibernate.hbm2ddl.auto", "update");
    // The journal writes many small rows per transaction: let the driver send them together.
    props.put("hibernate.jdbc.batch_size", "256");
    props.put("hibernate.order_inserts", "true");
    props.put("hibernate.order_updates", "true");
    props.put("hibernate.id.optimizer.pooled.preferred", "pooled-lo");
    props.put("hibernate.show_sql", "false");
    props.put("hibernate.bytecode.provider", "none");
    props.put("hibernate.enhancer.enableDirtyTracking", "false");
    props.put("hibernate.enhancer.enableLazyInitialization", "false");
    props.put("hibernate.enhancer.enableAssociationManagement", "false");
    props.put("hibernate.current_session_context_class", "thread");
    props.put("hibernate.transaction.coordinator_class", "jdbc");
    props.put("hibernate.type.preferred_instant_jdbc_type", "TIMESTAMP_UTC");
    var cfg = new Configuration();
    cfg.setProperties(props);
    entities.forEach(cfg::addAnnotatedClass);
    // Hibernate looks for its services with the context class loader, which under Payara's
    // threads need not be the application's.
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(Database.class.getClassLoader());
    try {
      return new Database(cfg.buildSessionFactory(), url);
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  static java.util.Optional<String> driverFor(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return java.util.Optional.of("org.postgresql.Driver");
    }
    if (url.startsWith("jdbc:h2:")) {
      return java.util.Optional.of("org.h2.Driver");
    }
    return java.util.Optional.empty();
  }

  /** Runs {@code work} in one transaction and returns its value. */
  public <T> T transaction(Function<Session, T> work) {
    return sessions.fromTransaction(work);
  }

  /** Runs {@code work} in one transaction. */
  public void run(Consumer<Session> work) {
    sessions.inTransaction(work);
  }

  /** True if the database answers a trivial query within two seconds. */
  public boolean ping() {
    try (Session s = sessions.openSession()) {
      return s.doReturningWork(c -> c.isValid(2));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The JDBC URL without credentials, for logs and health. */
  public String url() {
    return url;
  }

  @Override
  public void close() {
    sessions.close();
  }
}
