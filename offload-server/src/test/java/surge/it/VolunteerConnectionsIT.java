package surge.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Idle volunteers on a real Payara: what each connection costs and that the server keeps them at
 * the idle heartbeat interval (a short version of bench/connections.sh; the figures at 19,000 are
 * in docs/benchmarks/connections.md).
 */
class VolunteerConnectionsIT extends VolunteerSessions {
  static final int CONNECTIONS = 300;
  static final long HEARTBEAT_MS = 5_000; // SURGE_HEARTBEAT's default

  @Test
  void idleVolunteersStayPastTheBusySilenceLimitCostLittleHeapAndHealthStaysFast()
      throws Exception {
    try (var heap = PayaraHeap.attach()) {
      long before = heap.liveAfterFullGc();
      List<VolunteerClient> idle = new ArrayList<>();
      JsonObject welcome = null;
      for (int i = 0; i < CONNECTIONS; i++) {
        var v = connect();
        welcome = v.hello(api.consentToken());
        v.goSilent(); // holding no task, it owes a heartbeat only every idleHeartbeatMs
        idle.add(v);
      }
      assertThat(welcome.getJsonNumber("idleHeartbeatMs").longValue()).isEqualTo(12 * HEARTBEAT_MS);
      long perConnection = (heap.liveAfterFullGc() - before) / CONNECTIONS;

      // Past three busy heartbeat intervals (the dispatcher's limit for a volunteer holding a
      // task) and past six (the backstop for a connection before its hello), /health timed.
      long silentFrom = System.nanoTime();
      long slowestHealthMs = 0;
      while (System.nanoTime() - silentFrom
          < Duration.ofMillis(6 * HEARTBEAT_MS + 3_000).toNanos()) {
        long t0 = System.nanoTime();
        assertThat(api.get("/health").statusCode()).isEqualTo(200);
        slowestHealthMs = Math.max(slowestHealthMs, (System.nanoTime() - t0) / 1_000_000);
        Thread.sleep(250);
      }
      assertThat(idle).allMatch(VolunteerClient::isOpen);
      assertThat(api.metric("surge_volunteers_connected")).isEqualTo(CONNECTIONS);
      // 31-39 KiB measured (19,000 connections: 31 KiB); the bound leaves room for a collection
      // that caught other garbage, and fails if a connection came to hold a buffer of its own.
      assertThat(perConnection).as("heap per idle connection, bytes").isLessThan(128 * 1024);
      // A loaded 2-core CI machine: a generous bound, against seconds if the server stalled.
      assertThat(slowestHealthMs).as("slowest /health, ms").isLessThan(2_000);
      System.out.printf(
          "VolunteerConnectionsIT: %d idle connections, %d KiB heap each, slowest /health %d ms%n",
          CONNECTIONS, perConnection / 1024, slowestHealthMs);
    }
  }
}
