package surge.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import surge.testing.SharedServer;

/**
 * The WAR that `mvn package` built, deployed as is, and a clean start for the Payara Micro that
 * will run it: the data directory of the container (see arquillian.xml) is emptied, and a Payara
 * started earlier by this test JVM has exited (the adapter stops it without waiting), so that two
 * never run at once on this shared machine.
 */
final class SurgeWar {
  private SurgeWar() {}

  static WebArchive forContainer(String qualifier) {
    SharedServer.stopRunning(); // a server shared by earlier IT classes, if one still runs
    awaitEarlierPayaraExit();
    // The adapter copies the WAR into java.io.tmpdir (target/, see the pom) and never deletes it.
    deleteUnder(Path.of(System.getProperty("java.io.tmpdir")), "arquillian-payara-micro");
    Path data = dataDir(qualifier);
    deleteUnder(data.getParent(), qualifier);
    try {
      Files.createDirectories(data.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + data, e);
    }
    File war = new File("target/surge.war");
    if (!war.isFile()) {
      throw new IllegalStateException(war.getAbsolutePath() + " is missing: run mvn package first");
    }
    return ShrinkWrap.createFromZipFile(WebArchive.class, war);
  }

  private static Path dataDir(String qualifier) {
    String root = System.getProperty("surge.it.data");
    if (root == null) {
      throw new IllegalStateException(
          "surge.it.data is not set: run the ITs through maven-failsafe");
    }
    return Path.of(root, qualifier);
  }

  /** Deletes every entry of {@code dir} whose name starts with {@code prefix}, recursively. */
  private static void deleteUnder(Path dir, String prefix) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry :
          entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
        try (Stream<Path> all = Files.walk(entry)) {
          for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + dir, e);
    }
  }

  private static void awaitEarlierPayaraExit() {
    ProcessHandle.current()
        .children()
        .filter(p -> p.info().commandLine().orElse("").contains("payara-micro"))
        .forEach(
            p -> {
              try {
                p.onExit().get(60, TimeUnit.SECONDS);
              } catch (TimeoutException e) {
                p.destroyForcibly();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (ExecutionException e) {
                throw new IllegalStateException(e);
              }
            });
  }
}
