package dev.kiln.api.web;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.stereotype.Component;

/**
 * The api's connections, refused at once for {@link DatabaseOutage#FAIL_FAST_FOR} after one could
 * not be had: while PostgreSQL is away each request would otherwise wait the pool's connection
 * timeout once per read, and one that reads twice (its token, then its data) missed the 2 s an
 * outage's answers are held to. What the api can answer from memory meanwhile still is.
 */
class OutageAwareDataSource extends DelegatingDataSource {

  private final DatabaseOutage outage;

  OutageAwareDataSource(DataSource target, DatabaseOutage outage) {
    super(target);
    this.outage = outage;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return connect(super::getConnection);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return connect(() -> super.getConnection(username, password));
  }

  private interface Connecting {
    Connection connect() throws SQLException;
  }

  /** Refused at once while the database was just found away; a failure to connect is noted. */
  private Connection connect(Connecting connecting) throws SQLException {
    if (outage.recentlyAway()) {
      throw new SQLTransientConnectionException(
          "PostgreSQL could not be reached less than "
              + DatabaseOutage.FAIL_FAST_FOR.toMillis()
              + " ms ago: not asked again yet",
          "08001");
    }
    try {
      return connecting.connect();
    } catch (SQLException e) {
      outage.noteIfAway(e);
      throw e;
    }
  }

  /** Wraps the application's data source, so every repository and transaction goes through it. */
  @Component
  static class Wrapper implements BeanPostProcessor {

    private final ObjectProvider<DatabaseOutage> outage;

    Wrapper(ObjectProvider<DatabaseOutage> outage) {
      this.outage = outage;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
      if (bean instanceof DataSource dataSource && !(bean instanceof OutageAwareDataSource)) {
        return new OutageAwareDataSource(dataSource, outage.getObject());
      }
      return bean;
    }
  }
}
