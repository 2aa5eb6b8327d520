package surge.testing;

import jakarta.json.Json;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How every test starts Debian's Chromium (headless, as root, on a closed network): the flags of
 * {@code chromium-flags.json} next to this class, the one list the Java ITs and the JavaScript
 * browser tests ({@code worker-runtime/it}, {@code consent-banner/it}) and the benchmarks read.
 */
public final class Chromium {
  /** Debian's chromium and chromedriver: nothing is downloaded. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  /** The flags, without the profile directory and the page. */
  public static final List<String> FLAGS = load();

  private Chromium() {}

  /** {@link #FLAGS}, then {@code --user-data-dir=PROFILE}, then {@code extra}. */
  public static List<String> arguments(Path profile, String... extra) {
    var all = new ArrayList<>(FLAGS);
    all.add("--user-data-dir=" + profile.toAbsolutePath());
    all.addAll(List.of(extra));
    return List.copyOf(all);
  }

  private static List<String> load() {
    try (InputStream in = Chromium.class.getResourceAsStream("chromium-flags.json");
        var reader = Json.createReader(in)) {
      return reader.readObject().getJsonArray("flags").getValuesAs(JsonString.class).stream()
          .map(JsonString::getString)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
