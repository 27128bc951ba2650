package dev.kiln.activities.summary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TestOutputReaderTest {

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private final TestOutputReader reader = new TestOutputReader(null, log::write);

  private void write(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    reader.write(bytes, 0, bytes.length);
  }

  private String log() {
    return log.toString(StandardCharsets.UTF_8);
  }

  @Test
  void outputWithoutEventsPassesThroughByteForByteAndAtOnce() {
    write("compiling…\nhalf a line ");

    assertThat(log()).isEqualTo("compiling…\nhalf a line ");
    write("done\n{\"not\": \"an event\"}\n{unterminated");
    reader.finished(0, 0);

    assertThat(log())
        .isEqualTo("compiling…\nhalf a line done\n{\"not\": \"an event\"}\n{unterminated");
    assertThat(reader.report().found()).isFalse();
  }

  @Test
  void aLineStartingWithABraceIsHeldOnlyUntilItEnds() {
    write("{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"T\",\"Output\":\"hel");

    assertThat(log()).isEmpty();
    write("lo\\n\"}\nafter\n");

    assertThat(log()).isEqualTo("hello\nafter\n");
  }

  @Test
  void aBraceLineLongerThanAnyEventIsPassedOnWhole() {
    String huge = "{" + "x".repeat(3 << 20) + "}\n";

    write(huge);
    write("next\n");

    assertThat(log()).isEqualTo(huge + "next\n");
  }

  @Test
  void goTestEventsOfParallelTestsKeepEachTestsOwnOutput() {
    write(event("run", "TestA", null) + event("run", "TestB", null));
    write(event("output", "TestA", "    a_test.go:3: a is wrong\\n"));
    write(event("output", "TestB", "    b_test.go:9: b is wrong\\n"));
    write(event("fail", "TestB", null) + event("fail", "TestA", null));

    TestReport report = reader.report();

    assertThat(report.failures())
        .extracting(TestResult::name, TestResult::failure)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "TestB", new TestFailure("b is wrong", "b_test.go", 9)),
            org.assertj.core.groups.Tuple.tuple(
                "TestA", new TestFailure("a is wrong", "a_test.go", 3)));
    assertThat(log()).isEqualTo("    a_test.go:3: a is wrong\n    b_test.go:9: b is wrong\n");
  }

  private static String event(String action, String test, String output) {
    return "{\"Action\":\""
        + action
        + "\",\"Package\":\"example.com/p\",\"Test\":\""
        + test
        + "\""
        + (output == null ? "" : ",\"Output\":\"" + output + "\"")
        + "}\n";
  }
}
