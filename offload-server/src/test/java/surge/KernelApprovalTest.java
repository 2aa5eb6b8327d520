package surge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import surge.api.Problem;
import surge.config.Settings;
import surge.identity.control.Caller;

/** The default kernel policy, approved, on a real server core and database. */
class KernelApprovalTest {
  static final Caller ALICE = new Caller("alice", Caller.Role.USER, "test");
  static final Caller OPERATOR = new Caller("olga", Caller.Role.OPERATOR, "test");

  @TempDir Path dir;
  Server server;
  String kernel;
  String reducer;

  @BeforeEach
  void start() {
    server = Server.start(Settings.from(Map.of("SURGE_DATA_DIR", dir.toString()), k -> null));
    kernel = server.kernels.upload(TestFiles.kernel("montecarlo")).sha256();
    reducer = server.kernels.upload(TestFiles.kernel("pi-reduce")).sha256();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  String job(String reduceWith) {
    return "{\"kernel\":\""
        + kernel
        + "\",\"tasks\":1"
        + (reduceWith == null
            ? ""
            : ",\"merge\":{\"kind\":\"reduce\",\"kernel\":\"" + reduceWith + "\"}")
        + "}";
  }

  @Test
  void anUnapprovedKernelIsRefusedWithHowToGetItApproved() {
    assertThatThrownBy(() -> server.jobs.submit(ALICE, job(null)))
        .isInstanceOfSatisfying(
            Problem.class,
            p -> {
              assertThat(p.status()).isEqualTo(403);
              assertThat(p.field()).contains("kernel");
            })
        .hasMessage(
            "kernel "
                + kernel
                + " is not approved to run here; ask an operator to review it and run: bin/surge"
                + " admin kernel approve "
                + kernel
                + " --note TEXT");
    // Operators are held to the same rule: approval is a review, not a rank.
    assertThatThrownBy(() -> server.jobs.submit(OPERATOR, job(null)))
        .hasMessageContaining("not approved");
  }

  @Test
  void anApprovedKernelRunsUntilItsApprovalIsRevoked() {
    var view = server.approvals.approve(OPERATOR, kernel, "Monte Carlo pi, examples/");
    assertThat(view.uploaded()).isTrue();
    assertThat(view.approval().approvedBy()).isEqualTo("olga");
    assertThat(server.jobs.submit(ALICE, job(null)).id()).startsWith("j-");

    server.approvals.revoke(OPERATOR, kernel);
    assertThatThrownBy(() -> server.jobs.submit(ALICE, job(null)))
        .hasMessageContaining("not approved");
    assertThat(server.approvals.list(OPERATOR))
        .singleElement()
        .satisfies(v -> assertThat(v.approval().revokedBy()).contains("olga"));
    assertThatThrownBy(() -> server.approvals.revoke(OPERATOR, kernel))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(404));

    server.approvals.approve(OPERATOR, kernel, "reviewed again");
    assertThat(server.jobs.submit(ALICE, job(null)).id()).startsWith("j-");
  }

  @Test
  void anUnapprovedReducerIsRefusedToo() {
    server.approvals.approve(OPERATOR, kernel, "Monte Carlo pi");
    assertThatThrownBy(() -> server.jobs.submit(ALICE, job(reducer)))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.field()).contains("merge.kernel"))
        .hasMessageStartingWith("reducer kernel " + reducer + " is not approved");
    server.approvals.approve(OPERATOR, reducer, "pi reducer");
    assertThat(server.jobs.submit(ALICE, job(reducer)).id()).startsWith("j-");
  }

  @Test
  void onlyOperatorsApproveListOrRevoke() {
    assertThatThrownBy(() -> server.approvals.approve(ALICE, kernel, "trust me"))
        .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(403));
    assertThatThrownBy(() -> server.approvals.list(ALICE)).isInstanceOf(Problem.class);
    assertThatThrownBy(() -> server.approvals.revoke(ALICE, kernel)).isInstanceOf(Problem.class);
  }

  @Test
  void refusesABadHashOrNote() {
    assertThatThrownBy(() -> server.approvals.approve(OPERATOR, "abc", "x"))
        .hasMessageContaining("64 lower-case hex");
    assertThatThrownBy(() -> server.approvals.approve(OPERATOR, kernel, " "))
        .hasMessageContaining("note");
    assertThatThrownBy(() -> server.approvals.approve(OPERATOR, kernel, "a\u202Eb"))
        .hasMessageContaining("control characters");
    // A hash may be approved before its kernel is uploaded.
    assertThat(server.approvals.approve(OPERATOR, "e5".repeat(32), "coming").uploaded()).isFalse();
  }
}
