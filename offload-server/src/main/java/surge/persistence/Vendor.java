package surge.persistence;

/** The databases Surge runs on, each with its migrations under {@code db/migration/<folder>}. */
public enum Vendor {
  H2("jdbc:h2:", "org.h2.Driver", "h2"),
  POSTGRESQL("jdbc:postgresql:", "org.postgresql.Driver", "postgresql");

  private final String prefix;
  private final String driver;
  private final String folder;

  Vendor(String prefix, String driver, String folder) {
    this.prefix = prefix;
    this.driver = driver;
    this.folder = folder;
  }

  /** The vendor of a JDBC URL; only H2 and PostgreSQL have migrations. */
  public static Vendor of(String url) {
    for (Vendor v : values()) {
      if (url.startsWith(v.prefix)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "SURGE_DB_URL "
            + url
            + " is neither H2 (jdbc:h2:...) nor PostgreSQL (jdbc:postgresql://...): the schema's"
            + " migrations exist for these two only");
  }

  /** The driver class, named because DriverManager does not see drivers inside the WAR. */
  String driver() {
    return driver;
  }

  /** The folder of its SQL migrations under {@code db/migration}. */
  String folder() {
    return folder;
  }
}
