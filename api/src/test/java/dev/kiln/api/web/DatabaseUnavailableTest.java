package dev.kiln.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.UncategorizedSQLException;

class DatabaseUnavailableTest {

  @Test
  void aPoolThatFoundNoConnectionInTimeIsTheDatabaseAway() {
    assertThat(
            DatabaseUnavailable.isCause(
                new IllegalStateException(
                    "wrapped", new SQLTransientConnectionException("request timed out"))))
        .isTrue();
  }

  @Test
  void postgresInCrashRecoveryOrShuttingDownIsTheDatabaseAway() {
    for (String state : new String[] {"57P01", "57P02", "57P03", "08006", "08001"}) {
      assertThat(
              DatabaseUnavailable.isCause(
                  new UncategorizedSQLException(
                      "select", "SELECT 1", new SQLException("x", state))))
          .as(state)
          .isTrue();
    }
  }

  @Test
  void aConstraintViolationOrABugIsNot() {
    assertThat(
            DatabaseUnavailable.isCause(
                new DataIntegrityViolationException(
                    "dup", new SQLException("duplicate key", "23505"))))
        .isFalse();
    assertThat(DatabaseUnavailable.isCause(new NullPointerException())).isFalse();
  }
}
