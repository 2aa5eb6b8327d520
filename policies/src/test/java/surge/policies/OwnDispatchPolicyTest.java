package surge.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A centre's own dispatch policy, compiled here and packed in a jar as a centre would ship it, is
 * chosen by its name once the jar is on the class path, and unknown without it.
 */
class OwnDispatchPolicyTest {
  static final String POLICY =
      """
      package centre;

      import java.time.Duration;
      import surge.policies.DispatchPolicy;
      import surge.policies.VolunteerProfile;

      public final class OneAtATime implements DispatchPolicy {
        private final Duration lease;

        public OneAtATime(Duration lease) {
          this.lease = lease;
        }

        @Override public String name() { return "one-at-a-time"; }
        @Override public int batch(VolunteerProfile v) { return 1; }
        @Override public int prefetchBelow(VolunteerProfile v) { return 0; }
        @Override public int grant(VolunteerProfile v, int requested, int held) {
          return held == 0 && requested > 0 ? 1 : 0;
        }
        @Override public Duration lease(VolunteerProfile v) { return lease; }
      }
      """;

  static final String PROVIDER =
      """
      package centre;

      import java.time.Duration;
      import surge.policies.DispatchPolicy;
      import surge.policies.DispatchPolicyProvider;

      public final class OneAtATimeProvider implements DispatchPolicyProvider {
        @Override public String name() { return "one-at-a-time"; }
        @Override public DispatchPolicy create(int tasksPerWorker, Duration lease) {
          return new OneAtATime(lease);
        }
      }
      """;

  @Test
  void aCentresPolicyInItsOwnJarIsChosenByName(@TempDir Path dir) throws Exception {
    Path jar = centreJar(dir);
    try (var loader =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      DispatchPolicy p = DispatchPolicies.named("one-at-a-time", 4, Duration.ofSeconds(7), loader);

      assertThat(p.name()).isEqualTo("one-at-a-time");
      assertThat(p.getClass().getName()).isEqualTo("centre.OneAtATime");
      assertThat(p.getClass().getClassLoader()).isSameAs(loader);
      assertThat(p.lease(new VolunteerProfile(2, "node"))).isEqualTo(Duration.ofSeconds(7));
      assertThat(p.grant(new VolunteerProfile(2, "node"), 5, 0)).isEqualTo(1);
      // the built-ins are still there beside it
      assertThat(DispatchPolicies.named("batch", 4, Duration.ofSeconds(7), loader).name())
          .isEqualTo("batch");
    }
  }

  @Test
  void withoutTheJarTheNameIsRefusedListingTheNamesThereAre() {
    assertThatThrownBy(
            () ->
                DispatchPolicies.named(
                    "one-at-a-time", 4, Duration.ofSeconds(7), getClass().getClassLoader()))
        .hasMessage(
            "SURGE_DISPATCH_MODE names no dispatch policy 'one-at-a-time'; there are [async, batch,"
                + " speed, dwell]");
  }

  /** Compiles the two classes against this module and packs them with their services file. */
  static Path centreJar(Path dir) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/centre"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Files.writeString(src.resolve("OneAtATime.java"), POLICY);
    Files.writeString(src.resolve("OneAtATimeProvider.java"), PROVIDER);
    String policiesClasses;
    try {
      policiesClasses =
          Path.of(DispatchPolicy.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-d",
                classes.toString(),
                "-classpath",
                policiesClasses,
                src.resolve("OneAtATime.java").toString(),
                src.resolve("OneAtATimeProvider.java").toString());
    assertThat(rc).as("javac exit code").isZero();
    Path jar = dir.resolve("centre-policy.jar");
    try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (String name : List.of("OneAtATime.class", "OneAtATimeProvider.class")) {
        out.putNextEntry(new JarEntry("centre/" + name));
        out.write(Files.readAllBytes(classes.resolve("centre").resolve(name)));
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/surge.policies.DispatchPolicyProvider"));
      out.write("centre.OneAtATimeProvider\n".getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
