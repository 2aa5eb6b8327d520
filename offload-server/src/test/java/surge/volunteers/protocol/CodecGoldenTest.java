package surge.volunteers.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import surge.TestFiles;

/** The Java codec against the protocol's source of truth: PROTOCOL.md and its golden messages. */
class CodecGoldenTest {
  static Path golden = TestFiles.repo().resolve("protocol/golden");

  static Stream<Path> validGoldens() throws IOException {
    return Files.list(golden)
        .filter(p -> !p.getFileName().toString().equals("invalid.json"))
        .sorted();
  }

  @ParameterizedTest
  @MethodSource("validGoldens")
  void everyGoldenMessageDecodesAndEncodesToTheSameJson(Path file) throws IOException {
    String text = Files.readString(file);
    Decoded d = Codec.decode(text);
    assertThat(d).as(file.toString()).isInstanceOf(Decoded.Ok.class);
    Message m = ((Decoded.Ok) d).message();
    assertThat(m.type() + ".json").isEqualTo(file.getFileName().toString());
    JsonValue expected = parse(text);
    JsonValue actual = parse(Codec.encode(m));
    assertThat(sameJson(expected, actual)).as("%s re-encoded as %s", expected, actual).isTrue();
  }

  @Test
  void everyInvalidExampleIsRefusedAsTheProtocolSays() throws IOException {
    JsonArray cases = parse(Files.readString(golden.resolve("invalid.json"))).asJsonArray();
    assertThat(cases).hasSizeGreaterThan(5);
    for (JsonValue v : cases) {
      JsonObject c = v.asJsonObject();
      Decoded d = Codec.decode(c.getString("frame"));
      assertThat(d).as(c.getString("why")).isInstanceOf(Decoded.Refused.class);
      var refused = (Decoded.Refused) d;
      assertThat(refused.kind().name().toLowerCase().replace('_', '-'))
          .as(c.getString("why"))
          .isEqualTo(c.getString("expect"));
      if (c.containsKey("field")) {
        assertThat(refused.field()).as(c.getString("why")).contains(c.getString("field"));
      }
    }
  }

  @Test
  void theCodecKnowsExactlyTheTypesInTheProtocolTable() throws IOException {
    String doc = Files.readString(TestFiles.repo().resolve("protocol/PROTOCOL.md"));
    var row =
        Pattern.compile(
            "^\\| (\\w+) \\| (volunteer|server) → (volunteer|server) \\|", Pattern.MULTILINE);
    List<String> types = new ArrayList<>();
    row.matcher(doc).results().forEach(r -> types.add(r.group(1)));
    assertThat(types).containsExactlyElementsOf(Codec.TYPES);
  }

  private static JsonValue parse(String text) {
    try (var r = Json.createReader(new StringReader(text))) {
      return r.readValue();
    }
  }

  /** JSON equality with numbers compared by value (1 equals 1.0). */
  private static boolean sameJson(JsonValue a, JsonValue b) {
    if (a instanceof JsonNumber x && b instanceof JsonNumber y) {
      return x.bigDecimalValue().compareTo(y.bigDecimalValue()) == 0;
    }
    if (a instanceof JsonObject x && b instanceof JsonObject y) {
      return x.keySet().equals(y.keySet())
          && x.keySet().stream().allMatch(k -> sameJson(x.get(k), y.get(k)));
    }
    if (a instanceof JsonArray x && b instanceof JsonArray y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameJson(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof JsonString x && b instanceof JsonString y) {
      return x.getString().equals(y.getString());
    }
    return a.equals(b);
  }
}
