package surge.drmaa;

import java.util.regex.Pattern;
import org.ggf.drmaa.InvalidContactStringException;

/**
 * The contact string of a session: which Slurm partition its jobs go to. Written {@code
 * partition=NAME}; empty or {@code null} means {@code partition=volunteer}, Surge's partition.
 * Everything else about the cluster (which slurmctld, which user) comes from the environment that
 * every Slurm command gets, as for {@code sbatch} itself ({@code SLURM_CONF}).
 */
record Contact(String partition) {
  static final String DEFAULT_PARTITION = "volunteer";
  static final Contact DEFAULT = new Contact(DEFAULT_PARTITION);

  // Slurm's partition names: no blanks, commas or '='; keep to the characters sites use.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.+-]+");

  static Contact parse(String contact) throws InvalidContactStringException {
    if (contact == null || contact.isBlank()) {
      return DEFAULT;
    }
    String partition = null;
    for (String entry : contact.split("[;,]")) {
      String item = entry.strip();
      if (item.isEmpty()) {
        continue;
      }
      int eq = item.indexOf('=');
      String key = eq < 0 ? item : item.substring(0, eq).strip();
      String value = eq < 0 ? "" : item.substring(eq + 1).strip();
      if (!key.equals("partition")) {
        throw new InvalidContactStringException(
            "contact string '" + contact + "': unknown key '" + key + "' (known: partition=NAME)");
      }
      if (!NAME.matcher(value).matches()) {
        throw new InvalidContactStringException(
            "contact string '" + contact + "': '" + value + "' is not a partition name");
      }
      if (partition != null) {
        throw new InvalidContactStringException(
            "contact string '" + contact + "' names the partition twice");
      }
      partition = value;
    }
    return partition == null ? DEFAULT : new Contact(partition);
  }

  @Override
  public String toString() {
    return "partition=" + partition;
  }
}
