package dev.kiln.api.logs;

import static dev.kiln.api.support.Runs.newRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.support.TestPostgres;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.LogChunk;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

class LogChunkRepositoryIT {

  private static RunRepository runs;
  private static LogChunkRepository chunks;
  private static LogReader reader;
  private static TransactionTemplate tx;
  private static DataSource ds;

  @BeforeAll
  static void database() {
    ds = TestPostgres.migratedDatabase();
    JdbcClient jdbc = JdbcClient.create(ds);
    runs = new RunRepository(jdbc);
    chunks = new LogChunkRepository(jdbc, new NamedParameterJdbcTemplate(ds));
    reader = new LogReader(runs, chunks);
    tx = new TransactionTemplate(new JdbcTransactionManager(ds));
  }

  private static long run() {
    return runs.insert(newRun("https://example.com/a.git", "main", "x86_64")).orElseThrow();
  }

  private static LogChunk chunk(long seq, String step, String text) {
    return new LogChunk(
        seq,
        step,
        0L,
        Instant.parse("2026-01-01T00:00:00Z"),
        text.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(long runId, LogFilter filter) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    reader.copy(reader.snapshot(runId, filter), out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean followed(long runId) {
    return tx.execute(status -> chunks.lockBudget(runId).orElseThrow().followed());
  }

  @Test
  void aRunIsFollowedWhileItsLeaseLastsAndALeaseNeverShortens() {
    long id = run();
    assertThat(followed(id)).isFalse();

    chunks.markFollowed(List.of(id), Duration.ofMinutes(10));
    chunks.markFollowed(List.of(id), Duration.ofSeconds(30));

    assertThat(followed(id)).isTrue();
    Instant until =
        JdbcClient.create(ds)
            .sql("SELECT log_followed_until FROM runs WHERE id = :id")
            .param("id", id)
            .query(java.sql.Timestamp.class)
            .single()
            .toInstant();
    assertThat(until).isAfter(Instant.now().plus(Duration.ofMinutes(9)));
  }

  @Test
  void aRunWhoseRowAnotherTransactionHoldsIsSkippedNotWaitedFor() throws Exception {
    long held = run();
    long free = run();
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      chunks.lockBudget(held);
                      locked.countDown();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }));
    holder.start();
    assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
    try {
      chunks.markFollowed(List.of(held, free), Duration.ofSeconds(30));
    } finally {
      release.countDown();
      holder.join();
    }

    assertThat(followed(free)).isTrue();
    assertThat(followed(held)).isFalse();
  }

  @Test
  void aRetriedBatchIsStoredOnce() throws Exception {
    long id = run();
    List<LogChunk> batch =
        List.of(chunk(1_000_000, "fetch", "a\n"), chunk(1_000_001, "fetch", "b\n"));

    assertThat(chunks.insertAll(id, batch)).isEqualTo(2);
    assertThat(chunks.insertAll(id, batch)).isZero();
    assertThat(
            chunks.insertAll(
                id,
                List.of(
                    chunk(1_000_001, "fetch", "DIFFERENT\n"), chunk(1_000_002, "fetch", "c\n"))))
        .isEqualTo(1);

    assertThat(read(id, LogFilter.all())).isEqualTo("a\nb\nc\n");
  }

  @Test
  void readsInSequenceOrderWhateverTheArrivalOrderAndGaps() throws Exception {
    long id = run();
    chunks.insertAll(id, List.of(chunk(3_000_000, "gate:unit", "third\n")));
    chunks.insertAll(id, List.of(chunk(1_000_000, "fetch", "first\n")));
    chunks.insertAll(id, List.of(chunk(2_010_000, "compile", "second\n")));

    assertThat(read(id, LogFilter.all())).isEqualTo("first\nsecond\nthird\n");
    assertThat(read(id, new LogFilter("gate:unit", -1))).isEqualTo("third\n");
    assertThat(read(id, new LogFilter(null, 1_000_000))).isEqualTo("second\nthird\n");
  }

  @Test
  void copiesLogsLongerThanOnePageAndKeepsRawBytes() throws Exception {
    long id = run();
    List<LogChunk> many = new ArrayList<>();
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < LogReader.PAGE * 3 + 5; i++) {
      many.add(chunk(1_000_000 + i, "compile", "line " + i + "\n"));
      expected.append("line ").append(i).append('\n');
    }
    chunks.insertAll(id, many);
    // a chunk may end in the middle of a UTF-8 sequence; the reader must not decode
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    chunks.insertAll(
        id,
        List.of(
            new LogChunk(2_000_000L, "compile", 0L, null, new byte[] {euro[0]}),
            new LogChunk(2_000_001L, "compile", 1L, null, new byte[] {euro[1], euro[2]})));

    assertThat(read(id, LogFilter.all())).isEqualTo(expected + "€");
  }

  @Test
  void aSnapshotPinsTheChunksPresentWhenItWasTaken() throws Exception {
    long id = run();
    chunks.insertAll(id, List.of(chunk(1, "fetch", "before\n")));
    LogReader.LogSnapshot snapshot = reader.snapshot(id, LogFilter.all());
    chunks.insertAll(id, List.of(chunk(2, "fetch", "after\n")));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    reader.copy(snapshot, out);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("before\n");
    assertThat(snapshot.upToSeq()).isEqualTo(1);
  }

  @Test
  void notifiesWithinTheInsertTransaction() {
    long id = run();
    Integer inserted =
        tx.execute(
            status -> {
              int n = chunks.insertAll(id, List.of(chunk(5, "fetch", "x")));
              chunks.notifyAppended(id);
              return n;
            });
    assertThat(inserted).isEqualTo(1);
  }

  @Test
  void readingTheLogOfAnUnknownRunIs404() {
    assertThatThrownBy(() -> reader.snapshot(999_999, LogFilter.all()))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("run 999999 does not exist");
  }

  @Test
  void aPageWithAByteBudgetStopsBeforeTheChunkThatWouldPassItAndSaysWhetherMoreIsLeft() {
    long id = run();
    String forty = "x".repeat(40 * 1024);
    chunks.insertAll(
        id,
        List.of(
            chunk(1, "compile", forty),
            chunk(2, "compile", forty),
            chunk(3, "gate:unit", "short"),
            chunk(4, "compile", forty)));

    LogChunkRepository.ChunkPage first =
        chunks.readPage(id, null, -1, Long.MAX_VALUE, 128, 64 * 1024);
    assertThat(first.chunks()).extracting(LogChunk::seq).containsExactly(1L);
    assertThat(first.more()).isTrue();

    LogChunkRepository.ChunkPage wider =
        chunks.readPage(id, null, -1, Long.MAX_VALUE, 128, 100 * 1024);
    assertThat(wider.chunks()).extracting(LogChunk::seq).containsExactly(1L, 2L, 3L);
    assertThat(wider.more()).isTrue();

    LogChunkRepository.ChunkPage oneChunkBudget =
        chunks.readPage(id, null, -1, Long.MAX_VALUE, 128, 1);
    assertThat(oneChunkBudget.chunks()).as("the first chunk whatever its size").hasSize(1);

    LogChunkRepository.ChunkPage rest =
        chunks.readPage(id, null, 2, Long.MAX_VALUE, 128, 64 * 1024);
    assertThat(rest.chunks()).extracting(LogChunk::seq).containsExactly(3L, 4L);
    assertThat(rest.more()).as("the range's end").isFalse();

    LogChunkRepository.ChunkPage byCount =
        chunks.readPage(id, "compile", -1, Long.MAX_VALUE, 2, 1 << 20);
    assertThat(byCount.chunks()).extracting(LogChunk::seq).containsExactly(1L, 2L);
    assertThat(byCount.more()).as("the count stopped it").isTrue();
    assertThat(chunks.readPage(id, "gate:unit", -1, Long.MAX_VALUE, 2, 1 << 20).more()).isFalse();
  }
}
