package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.dev.TemporalCliVersion.Release;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TemporalCliVersionTest {

  @Test
  void readsTheCliServerAndUiVersionsOfTheWheelsCli() {
    TemporalCliVersion version =
        TemporalCliVersion.parse("temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)\n")
            .orElseThrow();

    assertThat(version.cli()).isEqualTo("1.9.1");
    assertThat(version.server()).contains(new Release(1, 32, 0));
    assertThat(version.ui()).contains("2.54.1");
    assertThat(version).hasToString("CLI 1.9.1, Server 1.32.0, UI 2.54.1");
    assertThat(version.isTooOld()).isFalse();
  }

  @Test
  void aGoInstalledCliCallsItselfDevButNamesItsServer() {
    TemporalCliVersion version =
        TemporalCliVersion.parse("temporal version 0.0.0-DEV (Server 1.29.1, UI 2.39.0)")
            .orElseThrow();

    assertThat(version.cli()).isEqualTo("0.0.0-DEV");
    assertThat(version.server()).contains(new Release(1, 29, 1));
    assertThat(version.isTooOld()).isFalse();
  }

  @Test
  void anOldCliIsTooOld() {
    // The 0.x releases wrote it this way.
    TemporalCliVersion version =
        TemporalCliVersion.parse("temporal version 0.10.7 (server 1.22.4) (ui 2.21.3)")
            .orElseThrow();

    assertThat(version.server()).contains(new Release(1, 22, 4));
    assertThat(version.ui()).contains("2.21.3");
    assertThat(version.isTooOld()).isTrue();
    assertThat(TemporalCliVersion.parse("temporal version 1.4.1 (Server 1.28.0, UI 2.37.1)"))
        .map(TemporalCliVersion::isTooOld)
        .contains(true);
  }

  @Test
  void aCliThatDoesNotNameItsServerIsNotCalledTooOld() {
    TemporalCliVersion version = TemporalCliVersion.parse("temporal version 2.0.0").orElseThrow();

    assertThat(version.server()).isEmpty();
    assertThat(version.isTooOld()).isFalse();
    assertThat(version).hasToString("CLI 2.0.0, server version not stated");
  }

  @Test
  void somethingElseIsNoVersion() {
    assertThat(TemporalCliVersion.parse("sh: temporal: not found")).isEqualTo(Optional.empty());
    assertThat(TemporalCliVersion.parse("")).isEmpty();
  }

  @Test
  void releasesCompareByNumberNotText() {
    assertThat(new Release(1, 32, 0)).isGreaterThan(new Release(1, 29, 1));
    assertThat(new Release(1, 29, 10)).isGreaterThan(new Release(1, 29, 9));
    assertThat(new Release(2, 0, 0)).isGreaterThan(new Release(1, 99, 0));
    assertThat(new Release(1, 29, 0)).isEqualByComparingTo(TemporalCliVersion.MINIMUM_SERVER);
  }
}
