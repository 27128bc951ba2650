package dev.kiln.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class DatabaseOutageTest {

  private long now = TimeUnit.SECONDS.toNanos(100);
  private final DatabaseOutage outage = new DatabaseOutage(() -> now);

  @Test
  void nothingIsAwayBeforeAFailureSaysSo() {
    assertThat(outage.recentlyAway()).isFalse();
  }

  @Test
  void aConnectionFailureMakesTheDatabaseAwayForOneSecond() {
    boolean noted =
        outage.noteIfAway(
            new CannotGetJdbcConnectionException(
                "no connection",
                new SQLTransientConnectionException(
                    "timed out", "08001", new SQLException("Connection refused", "08001"))));

    assertThat(noted).isTrue();
    assertThat(outage.recentlyAway()).isTrue();
    now += TimeUnit.MILLISECONDS.toNanos(999);
    assertThat(outage.recentlyAway()).isTrue();
    now += TimeUnit.MILLISECONDS.toNanos(1);
    assertThat(outage.recentlyAway()).as("the next request asks the database again").isFalse();
  }

  @Test
  void thePoolsTimeoutWithNoFailureToConnectBehindItIsNoOutage() {
    boolean noted =
        outage.noteIfAway(
            new CannotGetJdbcConnectionException(
                "no connection",
                new SQLTransientConnectionException("Connection is not available")));

    assertThat(noted).isFalse();
    assertThat(outage.recentlyAway()).isFalse();
  }

  @Test
  void anyOtherFailureIsNotAnOutage() {
    assertThat(outage.noteIfAway(new IllegalStateException("a bug"))).isFalse();
    assertThat(outage.recentlyAway()).isFalse();
  }
}
