package surge.consent.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectsTest {
  @Test
  void withoutAFileThereIsTheDemoProjectOfTheCentre() {
    var projects = Projects.of("Centre X", Optional.empty());
    var demo = projects.find("demo").orElseThrow();
    assertThat(demo.centre()).isEqualTo("Centre X");
    assertThat(demo.revision()).isEqualTo(1);
    assertThat(demo.cpuLevels()).containsExactly(25, 50, 75);
    assertThat(projects.find("other")).isEmpty();
  }

  @Test
  void theFileReplacesTheDemoAndFillsDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("projects.json");
    Files.writeString(
        file,
        """
        [{"id": "fire", "name": "Wildfire", "purpose": "Forecast fire spread", "revision": 3,
          "cpuLevels": [10, 20], "detailsUrl": "https://hpc.example/fire"},
         {"id": "flu", "name": "Flu", "purpose": "Epidemic model", "centre": "Other centre"}]
        """);
    var projects = Projects.of("HPC centre", Optional.of(file));
    assertThat(projects.find("demo")).isEmpty();
    var fire = projects.find("fire").orElseThrow();
    assertThat(fire.revision()).isEqualTo(3);
    assertThat(fire.cpuLevels()).containsExactly(10, 20);
    assertThat(fire.centre()).isEqualTo("HPC centre");
    assertThat(fire.detailsUrl()).hasValue("https://hpc.example/fire");
    var flu = projects.find("flu").orElseThrow();
    assertThat(flu.centre()).isEqualTo("Other centre");
    assertThat(flu.revision()).isEqualTo(1);
    assertThat(flu.cpuLevels()).isEqualTo(List.of(25, 50, 75));
  }

  @Test
  void aBadProjectFileSaysWhatIsWrong() {
    for (String[] c :
        new String[][] {
          {"{}", "array"},
          {"[{\"id\": \"Bad Id\", \"name\": \"n\", \"purpose\": \"p\"}]", "Bad Id"},
          {"[{\"id\": \"a\", \"purpose\": \"p\"}]", "'name'"},
          {
            "[{\"id\": \"a\", \"name\": \"n\", \"purpose\": \"p\", \"cpuLevels\": [0]}]",
            "cpuLevels"
          },
        }) {
      var json = JsonProvider.provider().createReader(new StringReader(c[0])).readValue();
      assertThatThrownBy(() -> Projects.parse("c", json)).as(c[0]).hasMessageContaining(c[1]);
    }
  }
}
