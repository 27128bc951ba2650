package dev.kiln.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kiln.api.support.TestPostgres;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * The outage's fail-fast behind the pool the api uses: a pool too busy to hand out a connection in
 * time is no outage, one that cannot connect is.
 */
class OutageAwareDataSourceIT {

  private final DatabaseOutage outage = new DatabaseOutage();

  /** Hikari as the api configures it, but with {@code size} connections at most. */
  private static HikariDataSource pool(String url, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(TestPostgres.USER);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(2000);
    config.setValidationTimeout(1000);
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }

  @Test
  void aPoolWithEveryConnectionInUseTimesOutWithoutMakingTheDatabaseAway() throws Exception {
    try (HikariDataSource hikari = pool(TestPostgres.newDatabaseUrl(), 1)) {
      OutageAwareDataSource dataSource = new OutageAwareDataSource(hikari, outage);
      try (Connection held = dataSource.getConnection()) {
        Throwable busy = catchFailure(dataSource);

        assertThat(busy).isInstanceOf(SQLTransientConnectionException.class);
        assertThat(DatabaseUnavailable.isCause(busy)).as("still answered 503").isTrue();
        assertThat(outage.recentlyAway()).isFalse();
      }
      try (Connection next = dataSource.getConnection()) {
        assertThat(next.isValid(1)).as("asked at once, no second refused").isTrue();
      }
    }
  }

  @Test
  void aPoolThatCannotConnectMakesTheDatabaseAway() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (HikariDataSource hikari = pool("jdbc:postgresql://127.0.0.1:" + port + "/kiln", 4)) {
      OutageAwareDataSource dataSource = new OutageAwareDataSource(hikari, outage);

      assertThat(catchFailure(dataSource)).isInstanceOf(SQLTransientConnectionException.class);
      assertThat(outage.recentlyAway()).isTrue();
    }
  }

  private static Throwable catchFailure(OutageAwareDataSource dataSource) {
    try (Connection unexpected = dataSource.getConnection()) {
      throw new AssertionError("connected to " + unexpected);
    } catch (SQLException e) {
      return e;
    }
  }
}
