package dev.kiln.cli.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.config.CliConfig;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiProblemsTest {

  private final ObjectMapper json = new ObjectMapper();

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aProblemIsToldByItsDetailElseItsTitle() {
    assertThat(
            ApiProblems.detail(
                json, bytes("{\"title\":\"Not Found\",\"detail\":\"run 99 does not exist\"}")))
        .isEqualTo("run 99 does not exist");
    assertThat(ApiProblems.detail(json, bytes("{\"title\":\"Not Found\"}"))).isEqualTo("Not Found");
  }

  @Test
  void anAnswerThatIsNotJsonIsQuotedOnOneShortLine() {
    String detail = ApiProblems.detail(json, bytes("<html>\n<body>" + "x".repeat(500)));

    assertThat(detail).doesNotContain("\n").startsWith("<html> <body>xxx").hasSize(301);
  }

  @Test
  void a401TellsWhereTheTokenComesFrom() {
    CliConfig without = new CliConfig(CliConfig.DEFAULT_URL, Optional.empty());
    CliConfig with = new CliConfig(CliConfig.DEFAULT_URL, Optional.of("kiln_x"));

    assertThat(ApiProblems.describe(401, "missing bearer token", without))
        .isEqualTo(
            "401: missing bearer token (set KILN_TOKEN, or token= in ~/.config/kiln/config)");
    assertThat(ApiProblems.describe(401, "unknown token", with))
        .isEqualTo("401: unknown token (check KILN_TOKEN)");
    assertThat(ApiProblems.describe(409, "run 3 already ended: passed", with))
        .isEqualTo("409: run 3 already ended: passed");
  }
}
