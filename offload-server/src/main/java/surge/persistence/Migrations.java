package surge.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.migration.JavaMigration;
import org.flywaydb.core.api.output.MigrateResult;
import surge.persistence.migration.V2__QuartzTables;

/**
 * Brings the database's schema to this release with Flyway: the SQL migrations in {@code
 * db/migration/<vendor>} and, on PostgreSQL, the Java ones listed here (listed, not scanned, so
 * nothing depends on how a class loader lists a package inside a WAR).
 *
 * <p>A database made by a release before Flyway (Hibernate's {@code hbm2ddl=update}, no {@code
 * flyway_schema_history}) is adopted at version 1 when its tables hold every table and column of
 * the V1 baseline; anything else non-empty is refused rather than guessed at.
 */
final class Migrations {
  private static final Logger LOG = Logger.getLogger(Migrations.class.getName());
  static final String HISTORY = "flyway_schema_history";

  private Migrations() {}

  static void migrate(DataSource ds, Vendor vendor, String url) {
    String schema = currentSchema(ds);
    Map<String, String> tables = columns(ds, schema);
    boolean legacy = !tables.isEmpty() && tables.keySet().stream().noneMatch(Migrations::history);
    if (legacy) {
      List<String> differences = baselineDifferences(ds, vendor, tables);
      if (!differences.isEmpty()) {
        throw new IllegalStateException(
            "the database at "
                + url
                + " has tables but no Flyway history ("
                + HISTORY
                + "), and they are not the schema Surge made before Flyway, which it could adopt: "
                + String.join("; ", differences)
                + ". Point SURGE_DB_URL at an empty database or at one a Surge server made");
      }
      LOG.info(() -> "database " + url + ": adopting the schema made before Flyway as version 1");
    }
    MigrateResult result = flyway(ds, vendor).baselineOnMigrate(legacy).load().migrate();
    if (result.migrationsExecuted > 0) {
      LOG.info(
          () ->
              "database "
                  + url
                  + ": migrated from version "
                  + (result.initialSchemaVersion == null ? "none" : result.initialSchemaVersion)
                  + " to "
                  + result.targetSchemaVersion);
    }
  }

  private static FluentConfiguration flyway(DataSource ds, Vendor vendor) {
    return Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(ds)
        .locations("classpath:db/migration/" + vendor.folder())
        .javaMigrations(javaMigrations(vendor))
        .baselineVersion("1")
        .baselineDescription("schema made before Flyway (hbm2ddl)")
        .failOnMissingLocations(true);
  }

  /** The migrations written in Java, per vendor. */
  static JavaMigration[] javaMigrations(Vendor vendor) {
    return switch (vendor) {
      case H2 -> new JavaMigration[0];
      case POSTGRESQL -> new JavaMigration[] {new V2__QuartzTables()};
    };
  }

  /**
   * What the tables lack against the V1 baseline, found by running V1 into a scratch schema of the
   * same database and comparing columns and their types; the scratch schema is dropped after.
   */
  private static List<String> baselineDifferences(
      DataSource ds, Vendor vendor, Map<String, String> actual) {
    String scratch = "surge_baseline_" + UUID.randomUUID().toString().replace("-", "");
    try {
      try {
        flyway(ds, vendor).schemas(scratch).createSchemas(true).target("1").load().migrate();
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "to adopt a database made before Flyway, the server compares it with the baseline in a"
                + " scratch schema, which it could not make (the database user needs the right to"
                + " create a schema once): "
                + e.getMessage(),
            e);
      }
      Map<String, String> expected = columns(ds, scratch);
      List<String> differences = new ArrayList<>();
      expected.forEach(
          (column, type) -> {
            if (history(column)) {
              return;
            }
            String found = actual.get(column);
            if (found == null) {
              differences.add("missing column " + column);
            } else if (!found.equals(type)) {
              differences.add("column " + column + " is " + found + ", expected " + type);
            }
          });
      return differences;
    } finally {
      execute(ds, "drop schema if exists " + quote(scratch) + " cascade");
    }
  }

  private static boolean history(String column) {
    return column.startsWith(HISTORY + ".");
  }

  private static String currentSchema(DataSource ds) {
    try (Connection c = ds.getConnection()) {
      return c.getSchema();
    } catch (SQLException e) {
      throw new IllegalStateException("the database did not answer: " + e.getMessage(), e);
    }
  }

  /** Every column of the schema's tables, as {@code table.column} to type, in lower case. */
  private static Map<String, String> columns(DataSource ds, String schema) {
    var columns = new TreeMap<String, String>();
    try (Connection c = ds.getConnection();
        var rs = c.getMetaData().getColumns(c.getCatalog(), schema, "%", "%")) {
      while (rs.next()) {
        columns.put(
            (rs.getString("TABLE_NAME") + "." + rs.getString("COLUMN_NAME"))
                .toLowerCase(Locale.ROOT),
            rs.getString("TYPE_NAME").toLowerCase(Locale.ROOT));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the database's tables: " + e, e);
    }
    return columns;
  }

  private static void execute(DataSource ds, String sql) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      LOG.warning(() -> "database: " + sql + " failed: " + e.getMessage());
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier + "\"";
  }
}
