package surge.kernels.control;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import surge.api.Hashes;
import surge.api.Problem;
import surge.audit.control.Audit;
import surge.identity.control.Caller;
import surge.kernels.entity.KernelApproval;
import surge.persistence.Database;
import surge.policies.KernelApprovals;

/**
 * The operators' kernel approvals: given, listed and revoked by operators only, and read by the
 * kernel policy at every submission.
 */
public final class Approvals implements KernelApprovals {
  static final int MAX_NOTE = 1000;

  private final Database db;
  private final Kernels kernels;
  private final Clock clock;
  private final Audit audit;

  public Approvals(Database db, Kernels kernels, Clock clock, Audit audit) {
    this.db = db;
    this.kernels = kernels;
    this.clock = clock;
    this.audit = audit;
  }

  /**
   * One approval as the API shows it.
   *
   * @param uploaded whether the kernel itself has been uploaded (one may approve a hash first)
   */
  public record View(KernelApproval approval, boolean uploaded) {}

  /** Approves {@code sha256} with {@code note}; approving again replaces the note. */
  public View approve(Caller caller, String sha256, String note) {
    operatorOnly(caller, "approve kernels");
    wellFormed(sha256);
    String text = note == null ? "" : note.strip();
    if (text.isEmpty()) {
      throw Problem.badField("note", "say what the kernel is and why it may run (note)");
    }
    if (text.length() > MAX_NOTE) {
      throw Problem.badField("note", "the note has more than " + MAX_NOTE + " characters");
    }
    if (text.codePoints().anyMatch(c -> Character.isISOControl(c) || isBidiControl(c))) {
      throw Problem.badField("note", "the note holds control characters");
    }
    KernelApproval stored =
        db.transaction(
            s -> {
              KernelApproval a = s.find(KernelApproval.class, sha256);
              if (a == null) {
                a = new KernelApproval(sha256, text, caller.name(), clock.instant());
                s.persist(a);
              } else {
                a.approve(text, caller.name(), clock.instant());
              }
              // Who approved what is written with the approval itself.
              audit.record(s, caller, "kernel.approve", sha256, text);
              return a;
            });
    return new View(stored, kernels.exists(sha256));
  }

  /** Revokes the approval in force for {@code sha256}; 404 when there is none. */
  public View revoke(Caller caller, String sha256) {
    operatorOnly(caller, "revoke kernel approvals");
    wellFormed(sha256);
    KernelApproval revoked =
        db.transaction(
            s -> {
              KernelApproval a = s.find(KernelApproval.class, sha256);
              if (a == null || !a.inForce()) {
                throw Problem.notFound("kernel " + sha256 + " has no approval in force");
              }
              a.revoke(caller.name(), clock.instant());
              audit.record(s, caller, "kernel.revoke", sha256, "");
              return a;
            });
    return new View(revoked, kernels.exists(sha256));
  }

  /** Every approval, in force or revoked, the latest first. */
  public List<View> list(Caller caller) {
    operatorOnly(caller, "list kernel approvals");
    return inForceAndRevoked().stream().map(a -> new View(a, kernels.exists(a.sha256()))).toList();
  }

  /** For the dashboard, which has its own login. */
  public List<KernelApproval> inForceAndRevoked() {
    return db.transaction(
        s ->
            s.createSelectionQuery(
                    "from KernelApproval a order by a.approvedAt desc", KernelApproval.class)
                .setMaxResults(1000)
                .getResultList());
  }

  @Override
  public Optional<Approval> approval(String sha256) {
    if (!Hashes.isSha256(sha256)) {
      return Optional.empty();
    }
    return db.transaction(
        s ->
            Optional.ofNullable(s.find(KernelApproval.class, sha256))
                .filter(KernelApproval::inForce)
                .map(a -> new Approval(a.sha256(), a.note(), a.approvedBy(), a.approvedAt())));
  }

  private static void operatorOnly(Caller caller, String what) {
    if (!caller.operator()) {
      throw Problem.forbidden(null, "only an operator may " + what);
    }
  }

  private static void wellFormed(String sha256) {
    if (!Hashes.isSha256(sha256)) {
      throw Problem.badField("sha256", "a kernel's sha256 is 64 lower-case hex digits");
    }
  }

  private static boolean isBidiControl(int c) {
    return (c >= 0x202A && c <= 0x202E)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x200E
        || c == 0x200F;
  }
}
