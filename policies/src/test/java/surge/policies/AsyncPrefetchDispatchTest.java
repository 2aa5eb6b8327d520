package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AsyncPrefetchDispatchTest extends DispatchPolicyContract {

  @Override
  protected DispatchPolicy policy() {
    return AsyncPrefetchDispatch.defaults();
  }

  @Test
  void asksAgainWhileTasksAreStillQueued() {
    var twoWorkers = new VolunteerProfile(2, "laptop");
    assertThat(policy().batch(twoWorkers)).isEqualTo(8);
    assertThat(policy().prefetchBelow(twoWorkers)).isEqualTo(2);
    // Holding one task, it may take a whole batch more: the next batch overlaps the current one.
    assertThat(policy().grant(twoWorkers, 8, 1)).isEqualTo(8);
    assertThat(policy().grant(twoWorkers, 8, 9)).isEqualTo(1);
  }

  @Test
  void refusesNonsenseConfiguration() {
    assertThatThrownBy(() -> new AsyncPrefetchDispatch(0, Duration.ofSeconds(1)))
        .hasMessageContaining("tasksPerWorker");
    assertThatThrownBy(() -> new AsyncPrefetchDispatch(1, Duration.ZERO))
        .hasMessageContaining("lease");
  }
}
