package dev.kiln.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

class OutageAwareDataSourceTest {

  private long now = TimeUnit.SECONDS.toNanos(100);
  private final DatabaseOutage outage = new DatabaseOutage(() -> now);

  /** PostgreSQL's driver against a loopback port nothing listens on: refused, as a stopped one. */
  private static PGSimpleDataSource stoppedPostgres() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setServerNames(new String[] {"127.0.0.1"});
    postgres.setPortNumbers(new int[] {port});
    postgres.setConnectTimeout(1);
    return postgres;
  }

  /** Counts the connections asked of the real data source behind. */
  private static final class Counting extends DelegatingDataSource {
    final AtomicInteger asked = new AtomicInteger();

    Counting(PGSimpleDataSource target) {
      super(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
      asked.incrementAndGet();
      return super.getConnection();
    }
  }

  @Test
  void afterPostgresRefusedAConnectionTheNextOnesFailAtOnceForASecondThenItIsAskedAgain()
      throws Exception {
    Counting postgres = new Counting(stoppedPostgres());
    OutageAwareDataSource dataSource = new OutageAwareDataSource(postgres, outage);

    assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLException.class);
    assertThat(postgres.asked).hasValue(1);
    assertThat(outage.recentlyAway()).isTrue();

    assertThatThrownBy(dataSource::getConnection)
        .isInstanceOf(SQLTransientConnectionException.class)
        .hasMessageContaining("not asked again yet");
    assertThat(postgres.asked).as("refused without asking").hasValue(1);
    assertThat(DatabaseUnavailable.isCause(catchFailure(dataSource))).isTrue();

    now += TimeUnit.SECONDS.toNanos(1);
    assertThatThrownBy(dataSource::getConnection).isInstanceOf(SQLException.class);
    assertThat(postgres.asked).as("asked again once the second passed").hasValue(2);
  }

  private static Throwable catchFailure(OutageAwareDataSource dataSource) {
    try (Connection unexpected = dataSource.getConnection()) {
      throw new AssertionError("connected to " + unexpected);
    } catch (SQLException e) {
      return e;
    }
  }
}
