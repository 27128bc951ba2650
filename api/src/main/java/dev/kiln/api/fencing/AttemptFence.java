package dev.kiln.api.fencing;

import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.internal.AttemptFencing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The run's current host attempt, and the check a build host's write passes before it is stored.
 *
 * <p>The check holds the run's row ({@code FOR NO KEY UPDATE}) until the write's transaction ends,
 * and raising the attempt updates that row: so a write of attempt 1 either commits before attempt 2
 * begins, or sees attempt 2 and is refused. Nothing of a superseded attempt lands after the next
 * one began.
 *
 * <p>A write without an attempt (a worker from before fencing, or the workflow's own ledger
 * reports, which are ordered by the workflow) passes unchecked.
 */
@Component
public class AttemptFence {

  private static final Logger log = LoggerFactory.getLogger(AttemptFence.class);

  private static final URI STALE_ATTEMPT = URI.create(AttemptFencing.STALE_ATTEMPT_TYPE);

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final MeterRegistry registry;

  public AttemptFence(
      JdbcClient jdbc, PlatformTransactionManager transactions, MeterRegistry registry) {
    this.jdbc = jdbc;
    this.transactions = new TransactionTemplate(transactions);
    this.registry = registry;
  }

  /**
   * Checks a write of {@code attempt} inside the write's transaction, holding the run's row until
   * it commits. A higher attempt than the current one becomes current (the first write of a
   * restarted attempt, when the workflow predates {@code POST …/attempt}).
   *
   * @param attempt the request's {@link AttemptFencing#ATTEMPT_HEADER}; {@code null} passes
   * @param write what is written ({@code logs}, {@code artifacts}, …), the metric's label
   * @throws ApiException 409 (problem type {@link AttemptFencing#STALE_ATTEMPT_TYPE}) for an
   *     attempt older than the current one; 400 for one below 1. An unknown run passes, for the
   *     write to answer 404 as it does.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void admit(long runId, Integer attempt, String write) {
    if (attempt == null) {
      return;
    }
    if (attempt < 1) {
      throw ApiException.badRequest(
          AttemptFencing.ATTEMPT_HEADER + ": must be 1 or more, got " + attempt);
    }
    Optional<Integer> current =
        jdbc.sql("SELECT attempt FROM runs WHERE id = :runId FOR NO KEY UPDATE")
            .param("runId", runId)
            .query(Integer.class)
            .optional();
    if (current.isEmpty()) {
      return;
    }
    if (attempt < current.get()) {
      staleWrites(write).increment();
      throw stale(runId, attempt, current.get());
    }
    if (attempt > current.get()) {
      raise(runId, attempt);
    }
  }

  /**
   * Runs {@code write} in one transaction after {@link #admit}: the check and the write commit
   * together. Without an attempt it runs as it would without the fence.
   */
  public <T> T guarded(long runId, Integer attempt, String write, Supplier<T> work) {
    if (attempt == null) {
      return work.get();
    }
    return transactions.execute(
        status -> {
          admit(runId, attempt, write);
          return work.get();
        });
  }

  /**
   * {@link #admit} in a transaction of its own: refuses a stale write early, before a long upload
   * is taken; the write checks again in its own transaction.
   */
  public void check(long runId, Integer attempt, String write) {
    guarded(runId, attempt, write, () -> null);
  }

  /**
   * Makes {@code attempt} the run's current attempt, unless a later one already is: from the commit
   * on, writes of earlier attempts are refused. Waits for writes of earlier attempts that are being
   * stored right now.
   *
   * @return the run's current attempt afterwards
   * @throws ApiException 404 for an unknown run
   */
  @Transactional
  public int begin(long runId, int attempt) {
    Integer before =
        jdbc.sql("SELECT attempt FROM runs WHERE id = :runId FOR NO KEY UPDATE")
            .param("runId", runId)
            .query(Integer.class)
            .optional()
            .orElseThrow(() -> ApiException.runNotFound(runId));
    if (attempt <= before) {
      return before;
    }
    raise(runId, attempt);
    return attempt;
  }

  private void raise(long runId, int attempt) {
    jdbc.sql("UPDATE runs SET attempt = :attempt WHERE id = :runId AND attempt < :attempt")
        .param("runId", runId)
        .param("attempt", attempt)
        .update();
    log.info(
        "run {}: attempt {} began; writes of earlier attempts are refused from now on",
        runId,
        attempt);
  }

  private Counter staleWrites(String write) {
    return Counter.builder("kiln.stale.writes")
        .description("Writes of build hosts refused because their attempt was superseded")
        .tag("write", write)
        .register(registry);
  }

  private static ApiException stale(long runId, int attempt, int current) {
    ApiException refused =
        ApiException.conflict(AttemptFencing.staleDetail(runId, attempt, current))
            .with("run_id", runId)
            .with("attempt", attempt)
            .with("current_attempt", current);
    refused.getBody().setType(STALE_ATTEMPT);
    refused.getBody().setTitle("Stale attempt");
    return refused;
  }
}
