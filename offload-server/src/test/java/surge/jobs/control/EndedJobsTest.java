package surge.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndedJobsTest {
  @Test
  void everyListenerHearsEachEndedJobFromWhenItListens() {
    var ended = new EndedJobs();
    List<Long> first = new ArrayList<>();
    List<Long> second = new ArrayList<>();
    ended.accept(1);
    ended.listen(first::add);
    ended.accept(2);
    ended.listen(second::add);
    ended.accept(3);
    assertThat(first).containsExactly(2L, 3L);
    assertThat(second).containsExactly(3L);
  }
}
