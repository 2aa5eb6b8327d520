package surge.dispatch;

/**
 * Where volunteers' standings are kept. The dispatcher calls these under its lock, so an
 * implementation only notes them (the server writes them in batches).
 */
public interface Standings {
  /** {@code standing} has changed. */
  void changed(Standing standing);

  /** {@code standing} was caught returning a wrong answer for {@code job} and is now barred. */
  default void caught(Standing standing, String job, String why) {
    changed(standing);
  }

  /** Keeps nothing: for tests and a server without storage. */
  Standings NONE = s -> {};
}
