package surge.cli;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * The class path of a `surge` JVM that a test launches itself: Surge's classes and the libraries it
 * needs, wherever Maven keeps them (one list, so a module move is mended once).
 */
final class SurgeClassPath {
  private SurgeClassPath() {}

  static String get() {
    return Stream.of(
            Surge.class,
            surge.client.SurgeClient.class,
            CommandLine.class,
            surge.slurmcommon.script.Durations.class,
            jakarta.json.Json.class,
            org.eclipse.parsson.JsonProviderImpl.class)
        .map(SurgeClassPath::location)
        .distinct()
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
