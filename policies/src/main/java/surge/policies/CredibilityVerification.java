package surge.policies;

/**
 * Sarmenta's credibility-based fault tolerance, with blacklisting: assuming at most a share {@code
 * f} of identities are saboteurs, a new identity's result is right with probability {@code 1 - f};
 * one that has passed {@code k} checks (spot checks, or agreement with another identity on an
 * accepted result) and would have been blacklisted at its first wrong answer is right with
 * probability at least {@code 1 - f / ((1 - f) k e)}: the best a saboteur can do is lie with rate
 * {@code 1/k}, and it survives {@code k} checks with probability {@code (1 - 1/k)^k ≈ 1/e}.
 *
 * <p>A disagreement (a result that lost to an accepted one) counts against the record: the checks
 * are divided by {@code 1 + 4 × disagreements}, since an honest volunteer on a deterministic kernel
 * never disagrees. Spot checks: a share {@code 0.25} of a new identity's tasks, falling as its
 * record grows ({@code 0.25 / (1 + validated / 100)}) to a floor of {@code 0.05}.
 *
 * <p>{@code f} is SURGE_VERIFY_SABOTEUR_SHARE (default 0.2); the policy is named {@code
 * credibility}.
 */
public final class CredibilityVerification implements VerificationPolicy {
  private static final double FIRST_SPOT_RATE = 0.25;
  private static final double FLOOR_SPOT_RATE = 0.05;

  private final double saboteurShare;
  private final Blacklist blacklist;

  /** For {@link java.util.ServiceLoader}: f from SURGE_VERIFY_SABOTEUR_SHARE, default 0.2. */
  public CredibilityVerification() {
    this(configuredShare(), Blacklist.EVERYWHERE);
  }

  public CredibilityVerification(double saboteurShare, Blacklist blacklist) {
    if (!(saboteurShare > 0 && saboteurShare < 1)) {
      throw new IllegalArgumentException(
          "the assumed share of saboteurs must be above 0 and below 1, got " + saboteurShare);
    }
    this.saboteurShare = saboteurShare;
    this.blacklist = blacklist;
  }

  private static double configuredShare() {
    // As the server's settings: the environment first, then the system property.
    String text = System.getenv("SURGE_VERIFY_SABOTEUR_SHARE");
    if (text == null || text.isBlank()) {
      text = System.getProperty("surge.verify.saboteur.share");
    }
    if (text == null || text.isBlank()) {
      return 0.2;
    }
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "SURGE_VERIFY_SABOTEUR_SHARE must be a number above 0 and below 1, got '" + text + "'");
    }
  }

  @Override
  public String name() {
    return "credibility";
  }

  public double saboteurShare() {
    return saboteurShare;
  }

  @Override
  public double credibility(VolunteerHistory h) {
    if (h.spotChecksFailed() > 0) {
      return 0;
    }
    if (h.trusted()) {
      return 1;
    }
    double k = h.validated() / (1.0 + 4.0 * h.disagreements());
    double f = saboteurShare;
    if (k < 1) {
      return 1 - f;
    }
    return Math.max(1 - f, 1 - f / ((1 - f) * k * Math.E));
  }

  @Override
  public double spotCheckRate(VolunteerHistory h) {
    if (h.trusted()) {
      return 0;
    }
    return Math.max(FLOOR_SPOT_RATE, FIRST_SPOT_RATE / (1 + h.validated() / 100.0));
  }

  @Override
  public Blacklist blacklist() {
    return blacklist;
  }
}
