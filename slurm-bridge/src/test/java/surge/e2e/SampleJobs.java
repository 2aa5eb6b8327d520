package surge.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The sample job scripts of {@code examples/jobs}, copied where a test may write beside them. */
public final class SampleJobs {
  private SampleJobs() {}

  /**
   * Copies the scripts to {@code dir/examples/jobs} (executable, as shipped) with {@code
   * dir/examples/kernels/build} linked to the built kernels, so their {@code ../kernels/build/...}
   * paths hold; answers the jobs directory.
   */
  public static Path copyInto(Path dir, String... scripts) throws Exception {
    Path jobs = Files.createDirectories(dir.resolve("examples/jobs"));
    Files.createDirectories(dir.resolve("examples/kernels"));
    Files.createSymbolicLink(
        dir.resolve("examples/kernels/build"),
        Cluster.REPO.resolve("examples/kernels/build").toAbsolutePath());
    for (String script : scripts) {
      Files.copy(
          Cluster.REPO.resolve("examples/jobs/" + script),
          jobs.resolve(script),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    return jobs;
  }
}
