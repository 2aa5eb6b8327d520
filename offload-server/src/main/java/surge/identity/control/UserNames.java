package surge.identity.control;

import java.util.regex.Pattern;
import surge.api.Problem;

/** What a user name may look like: a POSIX login name, or an e-mail-like name for tokens. */
public final class UserNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}");

  private UserNames() {}

  public static boolean valid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** The name, or a 400 naming {@code field}. */
  public static String require(String field, String name) {
    if (!valid(name)) {
      throw Problem.badField(
          field,
          field
              + " must be 1 to 64 characters of letters, digits, '_', '.', '@' or '-', not"
              + " starting with '.', '@' or '-'");
    }
    return name;
  }
}
