package dev.kiln.api.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.api.support.ChunkedBody;
import dev.kiln.api.support.Http;
import dev.kiln.api.support.RunningApi;
import dev.kiln.api.support.SseClient;
import dev.kiln.api.support.SseClient.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@code GET /runs/{id}/logs} as {@code text/event-stream}, fed through the real {@code /internal}
 * endpoints while clients follow: replay, live follow through LISTEN/NOTIFY, resume, filters,
 * {@code phase} and {@code end} events.
 */
class LogStreamIT extends RunningApi {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @Autowired LogStreams streams;
  @Autowired JdbcClient jdbc;

  private static String line(long seq) {
    return "line " + seq + " \u001b[32mok\u001b[0m\n";
  }

  private static List<Long> seqs(SseClient client) {
    return client.events(LogEvents.LOG).stream().map(e -> Long.parseLong(e.id())).toList();
  }

  private static String text(List<Event> events) {
    StringBuilder out = new StringBuilder();
    events.stream()
        .filter(e -> e.name().equals(LogEvents.LOG))
        .forEach(e -> out.append(e.json().path("text").asString()));
    return out.toString();
  }

  /** Posts {@code seqs} as one-line chunks of {@code step}, {@code batch} chunks per request. */
  private void postLines(long runId, String step, List<Long> seqs, int batch) {
    for (int from = 0; from < seqs.size(); from += batch) {
      List<Chunk> chunks = new ArrayList<>();
      for (int i = from; i < Math.min(from + batch, seqs.size()); i++) {
        chunks.add(Chunk.of(seqs.get(i), step, line(seqs.get(i))));
      }
      logs(runId, chunks.toArray(Chunk[]::new));
    }
  }

  /** Sequence numbers as the worker makes them: not dense (see LogSequences). */
  private static List<Long> sparseSeqs(long base, int count) {
    return LongStream.range(0, count).map(i -> base + i * 3).boxed().toList();
  }

  @Test
  void followsTwentyThousandLinesPostedInBatchesEachOnceAndInOrder() {
    long id = queuedRun("https://example.com/follow.git");
    List<Long> expected = sparseSeqs(1_000_000, 20_000);
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      assertThat(client.status()).isEqualTo(200);
      assertThat(client.contentType()).startsWith("text/event-stream");
      // the first half is in before the stream catches up, the rest arrives while it follows
      postLines(id, "compile", expected.subList(0, 10_000), 500);
      await().atMost(PATIENCE).until(() -> seqs(client).size() >= 1);
      postLines(id, "compile", expected.subList(10_000, 20_000), 500);
      finish(id, "passed", null);

      await().atMost(PATIENCE).until(client::ended);
      assertThat(seqs(client)).containsExactlyElementsOf(expected);
      List<Event> logEvents = client.events(LogEvents.LOG);
      assertThat(logEvents.get(19_999).json().path("text").asString())
          .isEqualTo(line(expected.get(19_999)));
      assertThat(logEvents.get(0).json().path("step").asString()).isEqualTo("compile");
      assertThat(logEvents.get(0).json().path("seq").asLong()).isEqualTo(1_000_000);
      assertThat(logEvents.get(0).json().path("ts").asString()).isEqualTo("2026-01-01T00:00:00Z");
      List<Event> all = client.events();
      assertThat(all.get(all.size() - 1).name()).isEqualTo(LogEvents.END);
    }
  }

  @Test
  void eachBatchIsAnsweredWithWhetherAnyoneFollowsTheRunsLog() {
    long id = queuedRun("https://example.com/followed.git");
    assertThat(logs(id, Chunk.of(1, "compile", line(1))).body()).isEqualTo("{\"followed\":false}");

    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      assertThat(client.status()).isEqualTo(200);

      assertThat(logs(id, Chunk.of(2, "compile", line(2))).body()).isEqualTo("{\"followed\":true}");
    }
    // a lease, not a count of this instance's streams: another instance's followers count too
    assertThat(logs(id, Chunk.of(3, "compile", line(3))).body()).isEqualTo("{\"followed\":true}");
  }

  @Test
  void anOpenStreamRenewsTheLeaseAtEachHeartbeat() {
    long id = queuedRun("https://example.com/renewed.git");
    AtomicLong seq = new AtomicLong();
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      assertThat(client.status()).isEqualTo(200);
      // as if the lease had run out between two heartbeats (this suite's heartbeat is 300 ms); a
      // heartbeat landing between the two statements renews it at once, so try again then
      await()
          .atMost(PATIENCE)
          .until(
              () -> {
                jdbc.sql(
                        "UPDATE runs SET log_followed_until = now() - interval '1 second'"
                            + " WHERE id = :id")
                    .param("id", id)
                    .update();
                long next = seq.incrementAndGet();
                return logs(id, Chunk.of(next, "compile", line(next))).body().contains("false");
              });

      await()
          .atMost(PATIENCE)
          .until(
              () -> {
                long next = seq.incrementAndGet();
                return logs(id, Chunk.of(next, "compile", line(next))).body().contains("true");
              });
    }
  }

  @Test
  void followingAFinishedRunMarksNothing() {
    long id = queuedRun("https://example.com/finished.git");
    finish(id, "passed", null);

    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      await().atMost(PATIENCE).until(client::ended);
    }

    assertThat(logs(id, Chunk.of(1, "kiln", line(1))).body()).isEqualTo("{\"followed\":false}");
  }

  @Test
  void reconnectingWithLastEventIdContinuesWithoutGapOrDuplicate() {
    long id = queuedRun("https://example.com/resume.git");
    List<Long> expected = sparseSeqs(2_000_000, 3_000);
    postLines(id, "compile", expected.subList(0, 1_000), 250);
    List<Long> received = new ArrayList<>();
    String lastId;
    try (SseClient first = SseClient.connect(port, "/runs/" + id + "/logs")) {
      await().atMost(PATIENCE).until(() -> seqs(first).size() >= 1_000);
      received.addAll(seqs(first));
      lastId = first.lastEventId();
    }
    // more arrives while nobody listens, then more while the second client follows
    postLines(id, "compile", expected.subList(1_000, 2_000), 250);
    try (SseClient second =
        SseClient.connect(port, "/runs/" + id + "/logs", "Last-Event-ID", lastId)) {
      postLines(id, "compile", expected.subList(2_000, 3_000), 250);
      finish(id, "passed", null);
      await().atMost(PATIENCE).until(second::ended);
      received.addAll(seqs(second));
    }
    assertThat(received).containsExactlyElementsOf(expected);
  }

  @Test
  void afterParameterResumesLikeLastEventIdAndTheHeaderWins() {
    long id = queuedRun("https://example.com/after.git");
    postLines(id, "compile", List.of(10L, 20L, 30L, 40L), 4);
    finish(id, "passed", null);

    try (SseClient byQuery = SseClient.connect(port, "/runs/" + id + "/logs?after=20");
        SseClient byHeader =
            SseClient.connect(port, "/runs/" + id + "/logs?after=10", "Last-Event-ID", "30")) {
      await().atMost(PATIENCE).until(() -> byQuery.ended() && byHeader.ended());
      assertThat(seqs(byQuery)).containsExactly(30L, 40L);
      assertThat(seqs(byHeader)).containsExactly(40L);
    }
  }

  @Test
  void fromBeginningFalseStartsAtTheLiveEdge() {
    long id = queuedRun("https://example.com/edge.git");
    postLines(id, "compile", List.of(1L, 2L, 3L), 3);
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs?from_beginning=false")) {
      await().atMost(PATIENCE).until(() -> !client.events(LogEvents.PHASE).isEmpty());
      postLines(id, "compile", List.of(4L, 5L), 2);
      finish(id, "passed", null);
      await().atMost(PATIENCE).until(client::ended);
      assertThat(seqs(client)).containsExactly(4L, 5L);
    }
  }

  @Test
  void stepFilterSendsOnlyThatStepButStillPhaseAndEnd() {
    long id = queuedRun("https://example.com/step.git");
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs?step=gate:unit")) {
      logs(
          id,
          Chunk.of(1, "compile", "compiling\n"),
          Chunk.of(2, "gate:unit", "test a ok\n"),
          Chunk.of(3, "gate:lint", "lint\n"),
          Chunk.of(4, "gate:unit", "test b ok\n"));
      phase(id, "gating");
      finish(id, "passed", null);
      await().atMost(PATIENCE).until(client::ended);
      assertThat(seqs(client)).containsExactly(2L, 4L);
      assertThat(text(client.events())).isEqualTo("test a ok\ntest b ok\n");
      assertThat(client.events(LogEvents.END)).hasSize(1);
    }
  }

  @Test
  void sendsPhaseChangesThenEndWithResultAndFailureSummaryAndCloses() {
    long id = queuedRun("https://example.com/phases.git");
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      await().atMost(PATIENCE).until(() -> phases(client).equals(List.of("queued")));
      phase(id, "fetching");
      await().atMost(PATIENCE).until(() -> phases(client).contains("fetching"));
      logs(id, Chunk.of(1_000_000, "fetch", "cloning\n"));
      phase(id, "compiling");
      // A phase is read with the run row when the feed wakes: one that lasts less than a wake-up
      // can be skipped (a real phase lasts seconds), so the test lets this one be seen.
      await().atMost(PATIENCE).until(() -> phases(client).contains("compiling"));
      logs(id, Chunk.of(2_000_000, "compile", "error: x\n"));
      finish(id, "failed", "compile failed: error: x");

      await().atMost(PATIENCE).until(client::ended);
      assertThat(client.failure()).isNull();
      assertThat(phases(client)).containsExactly("queued", "fetching", "compiling", "done");
      List<Event> all = client.events();
      Event end = all.get(all.size() - 1);
      assertThat(end.name()).isEqualTo(LogEvents.END);
      assertThat(end.json().path("result").asString()).isEqualTo("failed");
      assertThat(end.json().path("failure_summary").asString())
          .isEqualTo("compile failed: error: x");
      assertThat(end.json().path("log_bytes_dropped").asLong()).isZero();
      // every chunk committed before the terminal write comes before end
      assertThat(seqs(client)).containsExactly(1_000_000L, 2_000_000L);
    }
    await().atMost(PATIENCE).until(() -> streams.openStreams() == 0);
  }

  /** Sends {@code socket} an SSE request for the run's log and leaves the answer unread. */
  private void requestWithoutReading(Socket socket, long id) throws IOException {
    socket.setReceiveBufferSize(4096);
    socket.connect(new java.net.InetSocketAddress("localhost", port));
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET /runs/"
                + id
                + "/logs HTTP/1.1\r\nHost: localhost\r\n"
                + "Accept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static List<String> phases(SseClient client) {
    return client.events(LogEvents.PHASE).stream()
        .map(e -> e.json().path("phase").asString())
        .toList();
  }

  @Test
  void aFinishedRunIsReplayedAndEndsAtOnce() {
    long id = queuedRun("https://example.com/replay.git");
    postLines(id, "compile", List.of(5L, 6L), 2);
    finish(id, "cancelled", "cancelled by alice");
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      await().atMost(PATIENCE).until(client::ended);
      assertThat(client.events().stream().map(Event::name))
          .containsExactly(LogEvents.LOG, LogEvents.LOG, LogEvents.PHASE, LogEvents.END);
      assertThat(client.events(LogEvents.END).get(0).json().path("result").asString())
          .isEqualTo("cancelled");
    }
  }

  @Test
  void joinsACharacterSplitAcrossChunksOfTheSameStepAlsoWhenResumedBetweenThem() {
    long id = queuedRun("https://example.com/utf8.git");
    byte[] word = "caf\u00e9 \u2713 \ud83d\ude00\n".getBytes(StandardCharsets.UTF_8);
    // cut inside é (2 bytes), inside ✓ (3 bytes) and inside the emoji (4 bytes)
    int e = 4;
    int check = 8;
    int emoji = 13;
    logs(
        id,
        new Chunk(1, "compile", Arrays.copyOfRange(word, 0, e)),
        Chunk.of(2, "gate:unit", "other step\n"),
        new Chunk(3, "compile", Arrays.copyOfRange(word, e, check)),
        new Chunk(4, "compile", Arrays.copyOfRange(word, check, emoji)),
        new Chunk(5, "compile", Arrays.copyOfRange(word, emoji, word.length)));
    finish(id, "passed", null);

    try (SseClient all = SseClient.connect(port, "/runs/" + id + "/logs?step=compile");
        SseClient resumed =
            SseClient.connect(port, "/runs/" + id + "/logs?step=compile", "Last-Event-ID", "3")) {
      await().atMost(PATIENCE).until(() -> all.ended() && resumed.ended());
      assertThat(text(all.events())).isEqualTo("caf\u00e9 \u2713 \ud83d\ude00\n");
      assertThat(all.events(LogEvents.LOG).get(0).json().path("text").asString()).isEqualTo("caf");
      // chunk 4 starts inside ✓, whose first byte went with chunk 3, which this client had
      assertThat(text(resumed.events())).isEqualTo("\u2713 \ud83d\ude00\n");
    }
  }

  @Test
  void withoutTheEventStreamAcceptHeaderTheLogStaysPlainText() {
    long id = queuedRun("https://example.com/plain.git");
    logs(id, Chunk.of(1, "compile", "hello\n"));
    for (String accept : new String[] {null, "*/*", "text/plain", "text/html,*/*;q=0.8"}) {
      var request = http.request("/runs/" + id + "/logs").GET();
      if (accept != null) {
        request.header("Accept", accept);
      }
      HttpResponse<String> response = http.send(request.build());
      assertThat(response.statusCode()).as(accept).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .as(accept)
          .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
      assertThat(response.body()).isEqualTo("hello\n");
    }
  }

  @Test
  void streamOfAnUnknownRunIs404Problem() {
    try (SseClient client = SseClient.connect(port, "/runs/999999/logs")) {
      assertThat(client.status()).isEqualTo(404);
      assertThat(client.contentType()).startsWith("application/problem+json");
    }
  }

  @Test
  void malformedLastEventIdIs400() {
    long id = queuedRun("https://example.com/bad-id.git");
    try (SseClient client =
        SseClient.connect(port, "/runs/" + id + "/logs", "Last-Event-ID", "abc")) {
      assertThat(client.status()).isEqualTo(400);
    }
  }

  @Test
  void sendsHeartbeatCommentsWhileTheRunIsQuiet() {
    long id = queuedRun("https://example.com/quiet.git");
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      await().atMost(PATIENCE).until(() -> client.comments().size() >= 2);
      assertThat(client.comments()).allMatch("heartbeat"::equals);
      assertThat(client.ended()).isFalse();
    }
    await().atMost(PATIENCE).until(() -> streams.openStreams() == 0);
  }

  @Test
  void aStalledClientDoesNotHoldBackAnotherStream() throws Exception {
    long id = queuedRun("https://example.com/stalled.git");
    try (Socket stalled = new Socket()) {
      // a client that sends its request and never reads the response
      requestWithoutReading(stalled, id);
      await().atMost(PATIENCE).until(() -> streams.openStreams() >= 1);

      try (SseClient reader = SseClient.connect(port, "/runs/" + id + "/logs")) {
        // ~2.4 MB of events: far more than the stalled socket's buffers hold
        List<Long> expected = sparseSeqs(1_000_000, 30_000);
        postLines(id, "compile", expected, 1_000);
        finish(id, "passed", null);
        await().atMost(PATIENCE).until(reader::ended);
        assertThat(seqs(reader)).containsExactlyElementsOf(expected);
      }
    }
  }

  @Test
  void manyFollowersJoiningAtDifferentTimesEachGetEveryChunkOnceAndInOrder() {
    long id = queuedRun("https://example.com/many.git");
    List<Long> expected = sparseSeqs(3_000_000, 3_000);
    List<SseClient> clients = new ArrayList<>();
    try {
      // some follow from the start, some join mid-way and replay first, some resume by id
      for (int i = 0; i < 20; i++) {
        clients.add(SseClient.connect(port, "/runs/" + id + "/logs"));
      }
      postLines(id, "compile", expected.subList(0, 1_000), 100);
      for (int i = 0; i < 20; i++) {
        clients.add(SseClient.connect(port, "/runs/" + id + "/logs"));
      }
      postLines(id, "compile", expected.subList(1_000, 2_000), 100);
      SseClient resumed =
          SseClient.connect(
              port, "/runs/" + id + "/logs", "Last-Event-ID", expected.get(1_499).toString());
      postLines(id, "compile", expected.subList(2_000, 3_000), 100);
      finish(id, "passed", null);

      await().atMost(PATIENCE).until(() -> clients.stream().allMatch(SseClient::ended));
      await().atMost(PATIENCE).until(resumed::ended);
      for (SseClient client : clients) {
        assertThat(seqs(client)).containsExactlyElementsOf(expected);
        List<Event> all = client.events();
        assertThat(all.get(all.size() - 1).name()).isEqualTo(LogEvents.END);
      }
      assertThat(seqs(resumed)).containsExactlyElementsOf(expected.subList(1_500, 3_000));
      resumed.close();
    } finally {
      clients.forEach(SseClient::close);
    }
    await().atMost(PATIENCE).until(() -> streams.openStreams() == 0);
  }

  @Test
  void aClientThatFallsBehindLaterReceivesEveryChunkOnceAndInOrder() throws Exception {
    long id = queuedRun("https://example.com/behind.git");
    List<Long> expected = sparseSeqs(4_000_000, 30_000);
    try (Socket slow = new Socket();
        SseClient fast = SseClient.connect(port, "/runs/" + id + "/logs")) {
      requestWithoutReading(slow, id);
      await().atMost(PATIENCE).until(() -> streams.openStreams() >= 2);
      // ~2.4 MB of events while the slow client reads nothing: more than its socket buffers and
      // its queue hold, so it is dropped from the run's feed and reads the rest from the database
      postLines(id, "compile", expected, 1_000);
      finish(id, "passed", null);
      await().atMost(PATIENCE).until(fast::ended);
      assertThat(seqs(fast)).containsExactlyElementsOf(expected);

      slow.setSoTimeout((int) PATIENCE.toMillis());
      String body = ChunkedBody.read(slow.getInputStream());
      List<Long> ids =
          body.lines()
              .filter(l -> l.startsWith("id:"))
              .map(l -> Long.parseLong(l.substring(3)))
              .toList();
      assertThat(ids).containsExactlyElementsOf(expected);
      assertThat(body).contains("event:end");
    }
  }

  @Test
  void reachingTheLogCapStoresOneTruncationLineAndDropsLaterChunks() {
    long id = queuedRun("https://example.com/cap.git");
    byte[] block = new byte[64 * 1024];
    Arrays.fill(block, (byte) 'x');
    try (SseClient client = SseClient.connect(port, "/runs/" + id + "/logs")) {
      // 16 blocks fill 1 MiB: the 17th (seq 116) and all after it are dropped
      List<Chunk> first = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        first.add(new Chunk(100 + i, "compile", block));
      }
      logs(id, first.toArray(Chunk[]::new));
      // a retry of the same batch, and a later one: only the later one counts as dropped
      logs(id, first.toArray(Chunk[]::new));
      logs(id, new Chunk(200, "compile", new byte[] {'y', '\n'}));
      finish(id, "passed", null);

      await().atMost(PATIENCE).until(client::ended);
      List<Event> logEvents = client.events(LogEvents.LOG);
      assertThat(logEvents).hasSize(17);
      Event truncation = logEvents.get(16);
      assertThat(truncation.id()).isEqualTo("116");
      assertThat(truncation.json().path("step").asString()).isEqualTo(LogIngest.STEP);
      // the line as it was stored when the follower got it: as first written, if the follower
      // kept up with the burst and got it live, or with the later 2 bytes counted, if it fell
      // behind (the feed hands out at most RunFeed.PAGE_BYTES at a time) and read it back
      assertThat(truncation.json().path("text").asString())
          .isIn(
              "log truncated at 1 MiB; " + 4 * block.length + " bytes dropped\n",
              "log truncated at 1 MiB; " + (4 * block.length + 2) + " bytes dropped\n");
      Event end = client.events(LogEvents.END).get(0);
      assertThat(end.json().path("result").asString()).isEqualTo("passed");
      assertThat(end.json().path("log_bytes_dropped").asLong()).isEqualTo(4L * block.length + 2);
    }
    HttpResponse<String> plain = http.get("/runs/" + id + "/logs");
    assertThat(plain.body())
        .hasSize(
            16 * block.length
                + ("log truncated at 1 MiB; " + (4 * block.length + 2) + " bytes dropped\n")
                    .length())
        .endsWith("log truncated at 1 MiB; " + (4L * block.length + 2) + " bytes dropped\n");
    assertThat(Http.json(http.get("/runs/" + id)).path("result").asString()).isEqualTo("passed");
  }
}
