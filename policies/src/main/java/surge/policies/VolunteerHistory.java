package surge.policies;

/**
 * What a {@link VerificationPolicy} may know of a volunteer identity (a headless volunteer's key, a
 * browser's consent): its record of checked results, kept across sessions and jobs.
 *
 * @param trusted the centre's own machine (a volunteer key marked trusted)
 * @param spotChecksPassed results that matched an answer known to be right (computed by the server
 *     or a trusted volunteer)
 * @param spotChecksFailed results that did not; one is enough for the server to blacklist
 * @param agreements results accepted together with at least one other identity's agreeing result
 * @param disagreements results that lost to an accepted, disagreeing result
 */
public record VolunteerHistory(
    boolean trusted,
    long spotChecksPassed,
    long spotChecksFailed,
    long agreements,
    long disagreements) {
  public VolunteerHistory {
    if (spotChecksPassed < 0 || spotChecksFailed < 0 || agreements < 0 || disagreements < 0) {
      throw new IllegalArgumentException("a volunteer's history counts cannot be negative");
    }
  }

  /** An identity never seen before. */
  public static final VolunteerHistory NEW = new VolunteerHistory(false, 0, 0, 0, 0);

  /** A trusted machine with no record. */
  public static final VolunteerHistory TRUSTED = new VolunteerHistory(true, 0, 0, 0, 0);

  /** Results of this identity that were checked and found right. */
  public long validated() {
    return spotChecksPassed + agreements;
  }
}
