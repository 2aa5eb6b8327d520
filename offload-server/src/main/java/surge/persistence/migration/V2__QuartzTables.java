package surge.persistence.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.quartz.impl.jdbcjobstore.JobStoreSupport;

/**
 * PostgreSQL only: the tables of Quartz's JDBC job store, where the rescuer's timers live when
 * several instances share the database ({@code surge.rescue.boundary.RescueSchedule}). The DDL is
 * the one Quartz ships in its jar for PostgreSQL, read at run time so that it matches the Quartz on
 * the class path; its DROP statements (it is written to reset a database) are left out.
 */
public final class V2__QuartzTables extends BaseJavaMigration {
  static final String SCRIPT = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

  @Override
  public void migrate(Context context) throws Exception {
    try (Statement s = context.getConnection().createStatement()) {
      for (String statement : statements(script())) {
        s.execute(statement);
      }
    }
  }

  static String script() throws IOException {
    try (InputStream in = JobStoreSupport.class.getClassLoader().getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IOException(SCRIPT + " is not in the Quartz jar on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The script's CREATE statements: comments, DROPs and its closing COMMIT left out. */
  static List<String> statements(String script) {
    var body = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        body.append(line).append('\n');
      }
    }
    var statements = new ArrayList<String>();
    for (String statement : body.toString().split(";")) {
      String s = statement.strip();
      String head = s.toLowerCase(Locale.ROOT);
      if (!s.isEmpty() && !head.startsWith("drop ") && !head.equals("commit")) {
        statements.add(s);
      }
    }
    return statements;
  }
}
