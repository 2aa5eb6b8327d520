package surge.dispatch;

import java.util.Locale;

/**
 * How a job's results are checked before they are merged (docs/verification.md).
 *
 * @param replicas for {@link Mode#REPLICATE}: how many distinct volunteer identities must agree
 * @param targetError for {@link Mode#ADAPTIVE}: the largest acceptable probability that an accepted
 *     result is wrong
 */
public record Verify(Mode mode, int replicas, double targetError, Comparison compare) {
  public enum Mode {
    /** Credibility-based: replicate until the agreeing volunteers' credibility is enough. */
    ADAPTIVE,
    /** A fixed quorum of agreeing results from distinct identities. */
    REPLICATE,
    /** Trusted volunteers only; results accepted as returned. */
    NONE
  }

  public static final int MAX_REPLICAS = 16;

  /** At most this many known answers per job are kept for spot checks. */
  public static final int MAX_KNOWN_ANSWERS = 64;

  /** The first result is accepted: what jobs had before verification existed, and tests. */
  public static final Verify FIRST = new Verify(Mode.REPLICATE, 1, 0, Comparison.BYTES);

  public Verify {
    if (mode == Mode.REPLICATE && (replicas < 1 || replicas > MAX_REPLICAS)) {
      throw new IllegalArgumentException(
          "replicate=N takes N from 1 to " + MAX_REPLICAS + ", got " + replicas);
    }
    if (mode == Mode.ADAPTIVE && !(targetError >= 1e-12 && targetError <= 0.5)) {
      throw new IllegalArgumentException(
          "the target error rate is between 1e-12 and 0.5, got " + targetError);
    }
  }

  /**
   * Reads {@code adaptive}, {@code replicate=N} or {@code none}.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static Verify parse(String mode, double targetError, Comparison compare) {
    if (mode.equals("adaptive")) {
      return new Verify(Mode.ADAPTIVE, 0, targetError, compare);
    }
    if (mode.equals("none")) {
      return new Verify(Mode.NONE, 0, 0, compare);
    }
    if (mode.startsWith("replicate=")) {
      try {
        int n = Integer.parseInt(mode.substring("replicate=".length()));
        if (n >= 1 && n <= MAX_REPLICAS) {
          return new Verify(Mode.REPLICATE, n, 0, compare);
        }
      } catch (NumberFormatException e) {
        // below
      }
    }
    throw new IllegalArgumentException(
        "expected adaptive, replicate=N (N from 1 to "
            + MAX_REPLICAS
            + ") or none, got '"
            + mode
            + "'");
  }

  /** {@code adaptive}, {@code replicate=2}, {@code none}: as a job spec writes it. */
  public String text() {
    return switch (mode) {
      case ADAPTIVE -> "adaptive";
      case REPLICATE -> "replicate=" + replicas;
      case NONE -> "none";
    };
  }

  /** At most this many results for one task before the job fails as unverifiable. */
  int maxResults() {
    return mode == Mode.REPLICATE ? Math.max(2 * replicas + 1, replicas + 3) : 16;
  }

  boolean acceptsFirst() {
    return mode == Mode.NONE || (mode == Mode.REPLICATE && replicas == 1);
  }

  @Override
  public String toString() {
    return text()
        + (mode == Mode.ADAPTIVE ? String.format(Locale.ROOT, " (error %.0e)", targetError) : "")
        + ", compare "
        + compare.text();
  }
}
