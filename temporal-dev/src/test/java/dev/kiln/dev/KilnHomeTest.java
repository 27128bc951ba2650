package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KilnHomeTest {

  @TempDir Path tmp;

  @Test
  void preparesItsLayout() {
    KilnHome home = KilnHome.prepare(tmp.resolve("kiln"));

    assertThat(home.logs()).isDirectory();
    assertThat(home.temporalDb()).isEqualTo(tmp.resolve("kiln/temporal.db"));
    assertThat(home.postgresData()).isEqualTo(tmp.resolve("kiln/pg"));
    assertThat(home.workerTokenFile()).isEqualTo(tmp.resolve("kiln/worker.token"));
  }

  @Test
  void onlyOneDevStackAtATimeMayUseIt() throws Exception {
    KilnHome home = KilnHome.prepare(tmp);

    AutoCloseable first = home.lock();
    assertThatThrownBy(home::lock)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Another Kiln dev stack or worker is running with KILN_HOME=" + tmp);

    first.close();
    home.lock().close();
  }
}
