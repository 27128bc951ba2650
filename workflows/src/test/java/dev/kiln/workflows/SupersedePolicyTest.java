package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SupersedePolicyTest {

  @Test
  void wireNamesRoundTrip() {
    for (SupersedePolicy policy : SupersedePolicy.values()) {
      assertThat(SupersedePolicy.fromWireName(policy.wireName())).isEqualTo(policy);
    }
    assertThat(SupersedePolicy.wireNames()).isEqualTo("cancel-running, replace-pending, queue");
  }

  @Test
  void aRequestWithoutAPolicyAsRecordedBeforePoliciesCancelsTheRunningBuild() {
    RebuildRequest before =
        new RebuildRequest(
            1, "https://example.com/r.git", "main", "x86_64", null, "normal", null, null, 0);
    assertThat(before.supersede()).isNull();
    assertThat(before.supersedePolicy()).isEqualTo(SupersedePolicy.CANCEL_RUNNING);
    assertThat(before.withSupersede(SupersedePolicy.QUEUE).supersede()).isEqualTo("queue");
  }

  @Test
  void anUnknownPolicyIsRefusedByName() {
    assertThat(SupersedePolicy.parse("queue-all")).isEmpty();
    assertThatThrownBy(() -> SupersedePolicy.fromWireName("queue-all"))
        .hasMessage("unknown supersede policy: queue-all");
  }
}
