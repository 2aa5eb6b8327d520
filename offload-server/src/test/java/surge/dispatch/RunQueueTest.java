package surge.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class RunQueueTest {
  final RunQueue queue = new RunQueue();
  final Volunteer v = LeasesTest.volunteer("v1");

  static JobRun run(String id, int tasks, int priority) {
    return new JobRun(
        DispatcherTest.job(id, tasks, priority), new BitSet(), 0, DispatchLimits.defaults());
  }

  @Test
  void theBestJobIsServedFirstAndItsTasksInOrder() {
    var low = run("j-1", 2, 0);
    var high = run("j-2", 2, 5);
    queue.add(low);
    queue.add(high);
    assertThat(queue.queued()).isEqualTo(4);
    assertThat(queue.take(v)).isEqualTo(new RunQueue.Taken(high, 0));
    assertThat(queue.take(v)).isEqualTo(new RunQueue.Taken(high, 1));
    assertThat(queue.take(v)).isEqualTo(new RunQueue.Taken(low, 0));
    assertThat(queue.queued()).isEqualTo(1);
  }

  @Test
  void aLostTaskGoesToTheFrontAndAReplicaToTheBack() {
    var r = run("j-1", 3, 0);
    queue.add(r);
    var first = queue.take(v);
    var second = queue.take(v);
    queue.requeue(r, first.index(), 1);
    queue.requeueLast(r, second.index(), 2);
    assertThat(queue.take(v).index()).isEqualTo(0);
    assertThat(queue.take(v).index()).isEqualTo(2);
    assertThat(queue.take(v).index()).isEqualTo(1);
    assertThat(queue.requeuedTotal()).isEqualTo(2);
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void aClaimedTaskJoinsTheBackWithoutCountingAsARequeue() {
    var r = run("j-1", 3, 0);
    r.queue.clear(); // nothing claimed yet
    queue.add(r);
    assertThat(queue.isEmpty()).isTrue();
    queue.offer(r, 2, 1);
    queue.offer(r, 0, 1);
    assertThat(queue.queued()).isEqualTo(2);
    assertThat(queue.take(v).index()).isEqualTo(2);
    assertThat(queue.requeuedTotal()).isZero();
  }

  @Test
  void anEndedJobsQueueIsDroppedAndAComputedTaskRemoved() {
    var a = run("j-1", 3, 0);
    var b = run("j-2", 3, 0);
    queue.add(a);
    queue.add(b);
    queue.remove(a, 1);
    queue.drop(b);
    assertThat(queue.queued()).isEqualTo(2);
    assertThat(queue.take(v).index()).isEqualTo(0);
    assertThat(queue.take(v).index()).isEqualTo(2);
    assertThat(queue.take(v)).isNull();
  }
}
