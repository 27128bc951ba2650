package dev.kiln.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example in docs/kiln-yaml.md is a file the workers' parser takes. */
class KilnYamlDocTest {

  private static final Path DOC = Path.of("..", "docs", "kiln-yaml.md");
  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

  static Stream<String> examples() throws IOException {
    List<String> blocks = new ArrayList<>();
    Matcher block = YAML_BLOCK.matcher(Files.readString(DOC));
    while (block.find()) {
      blocks.add(block.group(1));
    }
    return blocks.stream();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleIsAValidKilnYaml(String example) throws Exception {
    PipelinePlan plan = new KilnYamlParser().parse(example);

    assertThat(plan.compile()).as(example).isNotEmpty();
  }

  @Test
  void thePageHasExamples() throws IOException {
    assertThat(examples()).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void theCompleteExampleReadsAsThePageDescribesIt() throws Exception {
    PipelinePlan plan = new KilnYamlParser().parse(examples().findFirst().orElseThrow());

    assertThat(plan.compile().get(0).timeoutSeconds()).isEqualTo(20 * 60);
    assertThat(plan.artifacts()).containsExactly("libz.so*", "*.tar.gz");
    assertThat(plan.gates()).extracting(g -> g.name()).containsExactly("unit", "lint");
    assertThat(plan.gates().get(1).required()).isFalse();
    assertThat(plan.env()).containsEntry("CFLAGS", "-O2");
  }
}
