package dev.kiln.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairQueuesTest {

  @Test
  void aRepositoryIsOneFairnessKeyHoweverItsUrlIsSpelled() {
    assertThat(FairQueues.key("https://git.example.com/team/app.git"))
        .isEqualTo("https://git.example.com/team/app")
        .isEqualTo(FairQueues.key("https://git.example.com/team/app/"))
        .isEqualTo(FairQueues.key(" https://git.example.com/team/app "));
    assertThat(FairQueues.key("https://git.example.com/team/other"))
        .isNotEqualTo(FairQueues.key("https://git.example.com/team/app"));
  }

  @Test
  void aUrlLongerThanTemporalAllowsKeepsItsStartAndEndsInAHashOfTheWhole() {
    String base = "https://git.example.com/" + "ö".repeat(40) + "/";
    String one = FairQueues.key(base + "one.git");
    String two = FairQueues.key(base + "two.git");

    assertThat(one.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64);
    assertThat(two.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64);
    assertThat(one).startsWith("https://git.example.com/ö").contains("#").isNotEqualTo(two);
    assertThat(FairQueues.key(base + "one")).isEqualTo(one);
  }

  @Test
  void aWeightOfZeroAsInRequestsFromBeforeWeightsIsTheDefaultAndOthersStayInTemporalsBounds() {
    assertThat(FairQueues.weight(0)).isEqualTo(1.0);
    assertThat(FairQueues.weight(Double.NaN)).isEqualTo(1.0);
    assertThat(FairQueues.weight(3)).isEqualTo(3.0);
    assertThat(FairQueues.weight(5000)).isEqualTo(1000.0);
    assertThat(FairQueues.weight(0.0000001)).isEqualTo(0.001);
    assertThat(FairQueues.validWeight(0.001)).isTrue();
    assertThat(FairQueues.validWeight(1000)).isTrue();
    assertThat(FairQueues.validWeight(0)).isFalse();
    assertThat(FairQueues.validWeight(1000.5)).isFalse();
    assertThat(FairQueues.validWeight(Double.POSITIVE_INFINITY)).isFalse();
  }

  @Test
  void aRunsPriorityCarriesItsPriorityKeyRepositoryAndWeight() {
    RebuildRequest request =
        new RebuildRequest(
                7, "file:///srv/a.git", "main", "x86_64", null, "low", null, List.of(), 0)
            .withFairnessWeight(4);

    var priority = FairQueues.priority(request);

    assertThat(priority.getPriorityKey()).isEqualTo(4);
    assertThat(priority.getFairnessKey()).isEqualTo("file:///srv/a");
    assertThat(priority.getFairnessWeight()).isEqualTo(4f);
    assertThat(FairQueues.priority(request.withFairnessWeight(0)).getFairnessWeight())
        .isEqualTo(1f);
  }
}
