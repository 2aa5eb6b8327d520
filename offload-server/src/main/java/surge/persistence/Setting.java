package surge.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A server-wide value that must survive restarts, such as a generated signing key. */
@Entity
@Table(name = "settings")
public class Setting {
  @Id
  @Column(name = "name", length = 100)
  private String name;

  @Column(name = "setting_value", length = 4000, nullable = false)
  private String value;

  protected Setting() {}

  public Setting(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public String value() {
    return value;
  }
}
