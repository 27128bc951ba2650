package dev.kiln.workflows.culprit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailureSignatureTest {

  static final FailureSignature UNIT =
      new FailureSignature("gate unit", List.of("AppTest.adds", "AppTest.subtracts"));

  @Test
  void theSameGateWithAFailedTestInCommonIsTheSameFailure() {
    assertThat(new FailureSignature("gate unit", List.of("AppTest.adds")).sameAs(UNIT)).isTrue();
  }

  @Test
  void theSameGateWithOnlyOtherTestsFailingIsAnotherFailure() {
    assertThat(new FailureSignature("gate unit", List.of("AppTest.divides")).sameAs(UNIT))
        .isFalse();
  }

  @Test
  void anotherStepIsAnotherFailure() {
    assertThat(new FailureSignature("compile", List.of()).sameAs(UNIT)).isFalse();
    assertThat(new FailureSignature("gate lint", List.of("AppTest.adds")).sameAs(UNIT)).isFalse();
  }

  @Test
  void aGateWithoutTestResultsIsJudgedByTheGateAlone() {
    FailureSignature lint = new FailureSignature("gate lint", List.of());

    assertThat(new FailureSignature("gate lint", List.of()).sameAs(lint)).isTrue();
    assertThat(new FailureSignature("compile", null).sameAs(new FailureSignature("compile", null)))
        .isTrue();
  }

  @Test
  void anInfrastructureFailureOrNoFailureTellsNothing() {
    FailureSignature infra = new FailureSignature(FailureSignature.INFRASTRUCTURE, List.of());

    assertThat(infra.sameAs(infra)).isFalse();
    assertThat(new FailureSignature(null, List.of()).sameAs(UNIT)).isFalse();
  }

  @Test
  void itDescribesItselfWithItsTests() {
    assertThat(UNIT.describe()).isEqualTo("gate unit (AppTest.adds, AppTest.subtracts)");
    assertThat(new FailureSignature("compile", List.of()).describe()).isEqualTo("compile");
  }
}
