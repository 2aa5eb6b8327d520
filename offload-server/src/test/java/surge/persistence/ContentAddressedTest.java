package surge.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import surge.kernels.entity.Kernel;

/** Content-addressed blobs against a real (in-memory) H2. */
class ContentAddressedTest {
  private final Database db =
      Database.open(
          "jdbc:h2:mem:blobs-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
          "sa",
          "",
          List.of(Kernel.class));

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void theSameBytesStoredManyTimesAtOnceAreStoredOnceAndNoStoreFails() throws Exception {
    // Several users uploading the same new kernel at the same moment (it used to be a 500).
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        byte[] bytes = ("kernel " + round).getBytes();
        var start = new CountDownLatch(1);
        List<Future<Boolean>> stores = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          stores.add(
              pool.submit(
                  () -> {
                    start.await();
                    return ContentAddressed.storeOnce(db, new Kernel(bytes, Instant.EPOCH));
                  }));
        }
        start.countDown();
        int created = 0;
        for (var f : stores) {
          created += f.get() ? 1 : 0;
        }
        assertThat(created).as("stores that created round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
