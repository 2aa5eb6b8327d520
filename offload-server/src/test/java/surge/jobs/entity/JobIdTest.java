package surge.jobs.entity;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobIdTest {
  static Job job(long id) throws Exception {
    var job =
        new Job(
            "alice",
            null,
            "k".repeat(64),
            1,
            null,
            null,
            "[]",
            "{}",
            MergeKind.CONCAT,
            null,
            0,
            null,
            null,
            Instant.EPOCH);
    Field f = Job.class.getDeclaredField("id");
    f.setAccessible(true);
    f.setLong(job, id);
    return job;
  }

  @Test
  void publicIdsCarryARandomPartAndDifferForTheSameNumber() throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = job(42).publicId();
      assertThat(id).matches("j-000042-[a-z2-9]{16}");
      seen.add(id);
    }
    assertThat(seen).hasSize(1000);
  }

  @Test
  void theNumberFindsTheRowAndOnlyTheWholeIdMatches() throws Exception {
    Job job = job(42);
    String id = job.publicId();
    assertThat(Job.parseId(id)).contains(42L);
    assertThat(job.hasPublicId(id)).isTrue();
    assertThat(job.hasPublicId("j-000042")).isFalse();
    char last = id.charAt(id.length() - 1);
    String oneOff = id.substring(0, id.length() - 1) + (last == 'x' ? 'y' : 'x');
    assertThat(job.hasPublicId(oneOff)).isFalse();
    assertThat(Job.parseId("j-")).isEmpty();
    assertThat(Job.parseId("j-12a-x")).isEmpty();
    assertThat(Job.parseId("k-000042")).isEmpty();
    assertThat(Job.parseId("j-" + "9".repeat(30))).isEmpty();
    assertThat(job.owner()).contains("alice");
  }
}
