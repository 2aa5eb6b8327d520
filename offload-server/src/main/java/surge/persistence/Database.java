package surge.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.hibernate.tool.schema.spi.SchemaManagementException;

/**
 * The server's database: Hibernate on H2 (a file in the data directory, the default) or PostgreSQL
 * (by {@code SURGE_DB_URL}). Bootstrapped by the application rather than as a container persistence
 * unit, so the same code runs in unit tests, and Payara's JPA deployer (and its class transformers)
 * stay out of the way. The schema is Flyway's ({@link Migrations}, {@code db/migration/<vendor>});
 * Hibernate only validates that the entities fit it.
 */
public final class Database implements AutoCloseable {
  private final SessionFactory sessions;
  private final HikariDataSource pool;
  private final String url;

  private Database(SessionFactory sessions, HikariDataSource pool, String url) {
    this.sessions = sessions;
    this.pool = pool;
    this.url = url;
  }

  public static Database open(String url, String user, String password, List<Class<?>> entities) {
    Vendor vendor = Vendor.of(url);
    HikariDataSource pool = pool(url, user, password, vendor);
    // Hibernate and Flyway look for their services with the context class loader, which under
    // Payara's threads need not be the application's.
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(Database.class.getClassLoader());
    try {
      Migrations.migrate(pool, vendor, url);
      return new Database(sessionFactory(pool, entities, url), pool, url);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  private static HikariDataSource pool(String url, String user, String password, Vendor vendor) {
    var config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(1);
    config.setPoolName("surge");
    // Named, not discovered: under Payara, DriverManager does not see drivers inside the WAR.
    config.setDriverClassName(vendor.driver());
    if (vendor == Vendor.POSTGRESQL) {
      // A process frozen mid-transaction (SIGSTOP, a stalled VM) must not hold its row locks for
      // ever: the server ends such a session after 5 s, less than a cluster lease (6 s), so the
      // other instances' reclaim is not blocked behind it. A live instance never waits that long
      // between two statements of one transaction.
      config.setConnectionInitSql("set idle_in_transaction_session_timeout = '5s'");
    }
    return new HikariDataSource(config);
  }

  private static SessionFactory sessionFactory(
      HikariDataSource pool, List<Class<?>> entities, String url) {
    var props = new Properties();
    props.put("hibernate.connection.datasource", pool);
    // Flyway owns the schema; Hibernate refuses to start on one its entities do not fit.
    props.put("hibernate.hbm2ddl.auto", "validate");
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
    try {
      return cfg.buildSessionFactory();
    } catch (SchemaManagementException e) {
      throw new IllegalStateException(
          "the database at "
              + url
              + " does not fit this release's entities ("
              + e.getMessage()
              + "); its schema belongs to Flyway (table flyway_schema_history, migrations in"
              + " db/migration): a change by hand, or a server older than the database's last"
              + " migration, gives this",
          e);
    }
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
    try {
      sessions.close();
    } finally {
      pool.close();
    }
  }
}
