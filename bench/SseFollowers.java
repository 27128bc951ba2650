import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 1000 concurrent SSE followers of one live build: the api's heap growth and the write → receive
 * latency across followers, compared with one follower alone in the same run.
 *
 * <p>The build prints "tick &lt;epoch nanos&gt;" lines. All followers are plain sockets on one
 * selector thread (no HTTP library, no thread per connection), so the client costs little CPU
 * next to the api on the shared 2 cores. The heap is the dev-stack JVM's (api and worker share
 * it): used heap after a forced full GC ({@code jcmd GC.run}), once before the followers connect
 * and once while all of them follow.
 *
 * <p>Usage: {@code java bench/SseFollowers.java <api base url> <repo url> <stack pid> <followers>}
 */
public class SseFollowers {

  private static final byte[] TICK = "tick ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "event:end".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  public static void main(String[] args) throws Exception {
    URI api = URI.create(args[0]);
    String repo = args[1];
    long stackPid = Long.parseLong(args[2]);
    int count = Integer.parseInt(args[3]);
    long runId = rebuild(api, repo);
    String path = "/runs/" + runId + "/logs?step=compile";

    try (Selector selector = Selector.open()) {
      Follower single = Follower.open(selector, api, path);
      await(selector, () -> single.ticks > 20, 120, "the first ticks");
      // the baseline: the build running, one follower
      long heapBefore = usedHeapKib(stackPid);
      long singleFrom = nowNanos();
      pump(selector, TimeUnit.SECONDS.toNanos(8));
      List<Long> singleAlone = single.latenciesAfter(singleFrom);

      List<Follower> followers = new ArrayList<>();
      long connectStart = System.nanoTime();
      for (int i = 0; i < count; i++) {
        followers.add(Follower.open(selector, api, path));
        if (i % 50 == 49) {
          pump(selector, 0);
        }
      }
      // every follower has replayed the log so far and receives live lines
      await(
          selector,
          () -> followers.stream().allMatch(f -> f.ticks > 0 && f.caughtUp()),
          120,
          "all followers to catch up");
      double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
      pump(selector, TimeUnit.SECONDS.toNanos(5));
      // latency first, then the heap: a forced full GC pauses the api and would show as latency
      long manyFrom = nowNanos();
      pump(selector, TimeUnit.SECONDS.toNanos(20));
      long manyUntil = nowNanos();
      long heapDuring = usedHeapKib(stackPid);
      String histogram = System.getenv("HISTOGRAM");
      if (histogram != null && !histogram.isEmpty()) {
        java.nio.file.Files.writeString(
            java.nio.file.Path.of(histogram), jcmd(stackPid, "GC.class_histogram"));
      }
      List<Long> many = new ArrayList<>();
      for (Follower f : followers) {
        many.addAll(f.latenciesBetween(manyFrom, manyUntil));
      }
      List<Long> singleAmongMany = single.latenciesBetween(manyFrom, manyUntil);
      long open = followers.stream().filter(f -> !f.closed).count();
      await(
          selector,
          () -> single.ended && followers.stream().allMatch(f -> f.ended || f.closed),
          600,
          "the run to end");
      long ended = followers.stream().filter(f -> f.ended).count();

      System.out.printf("run %d, stack JVM pid %d (api and worker in one JVM)%n", runId, stackPid);
      System.out.printf("one follower alone:          %s%n", stats(singleAlone));
      System.out.printf(
          "%d followers (all samples): %s; connected and caught up in %.1f s%n",
          count, stats(many), connectSeconds);
      System.out.printf("the first follower among them: %s%n", stats(singleAmongMany));
      System.out.printf(
          "heap used after full GC: %.1f MiB before, %.1f MiB while %d follow: growth %.1f MiB%n",
          heapBefore / 1024.0, heapDuring / 1024.0, open, (heapDuring - heapBefore) / 1024.0);
      System.out.printf("followers that received the end event: %d of %d%n", ended, count);
      if (ended != count) {
        throw new IllegalStateException("some followers did not receive the end event");
      }
    }
  }

  private static long rebuild(URI api, String repo) throws IOException, InterruptedException {
    String accepted =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(api.resolve("/rebuild"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"repo\":\"" + repo + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher id = Pattern.compile("\"run_id\":(\\d+)").matcher(accepted);
    if (!id.find()) {
      throw new IllegalStateException("rebuild refused: " + accepted);
    }
    return Long.parseLong(id.group(1));
  }

  private static long usedHeapKib(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher used = USED.matcher(info);
    if (!used.find()) {
      throw new IllegalStateException("no heap figure in: " + info);
    }
    return Long.parseLong(used.group(1));
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + out);
    }
    return out;
  }

  interface Condition {
    boolean met();
  }

  private static void await(Selector selector, Condition condition, int seconds, String what)
      throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.met()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      pump(selector, TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** Reads whatever arrives for {@code nanos} (at least one non-blocking pass). */
  private static void pump(Selector selector, long nanos) throws IOException {
    long until = System.nanoTime() + nanos;
    do {
      long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
      if (left > 0) {
        selector.select(left);
      } else {
        selector.selectNow();
      }
      long received = nowNanos();
      for (SelectionKey key : selector.selectedKeys()) {
        ((Follower) key.attachment()).read(key, received);
      }
      selector.selectedKeys().clear();
    } while (System.nanoTime() < until);
  }

  private static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static String stats(List<Long> micros) {
    if (micros.isEmpty()) {
      throw new IllegalStateException("no tick lines received");
    }
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    return String.format(
        "%d lines, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        sorted.size(),
        percentile(sorted, 50) / 1000.0,
        percentile(sorted, 99) / 1000.0,
        sorted.get(sorted.size() - 1) / 1000.0);
  }

  private static long percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  /** One SSE connection; scans the raw bytes (chunked framing included) for ticks and the end. */
  static final class Follower {
    /** "tick " and 19 digits. */
    private static final int LOOKAHEAD = 24;

    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    // bytes of a tick or "event:end" cut by the end of the previous read
    private byte[] tail = new byte[0];
    // receive time and write time (epoch nanos) of every tick
    private long[] samples = new long[4096];
    private int sampleCount;
    private long lastTickWritten;
    int ticks;
    boolean ended;
    boolean closed;

    private Follower(SocketChannel channel) {
      this.channel = channel;
    }

    static Follower open(Selector selector, URI api, String path) throws IOException {
      SocketChannel channel =
          SocketChannel.open(new InetSocketAddress(api.getHost(), api.getPort()));
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + api.getHost()
              + "\r\nAccept: text/event-stream\r\n\r\n";
      ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
      while (out.hasRemaining()) {
        channel.write(out);
      }
      channel.configureBlocking(false);
      Follower follower = new Follower(channel);
      channel.register(selector, SelectionKey.OP_READ, follower);
      return follower;
    }

    /** Whether the newest tick it received was written less than a second ago. */
    boolean caughtUp() {
      return nowNanos() - lastTickWritten < 1_000_000_000L;
    }

    void read(SelectionKey key, long receivedNanos) throws IOException {
      buffer.clear();
      buffer.put(tail);
      int n;
      try {
        n = channel.read(buffer);
      } catch (IOException e) {
        n = -1;
      }
      if (n < 0) {
        closed = true;
        key.cancel();
        channel.close();
        return;
      }
      byte[] data = buffer.array();
      int length = buffer.position();
      int consumed = scan(data, length, receivedNanos);
      tail = Arrays.copyOfRange(data, consumed, length);
    }

    /**
     * Returns up to where the bytes are scanned: the last {@link #LOOKAHEAD} bytes wait for the
     * next read, since a tick may be cut there.
     */
    private int scan(byte[] data, int length, long receivedNanos) {
      int i = 0;
      while (i + LOOKAHEAD <= length) {
        if (startsWith(data, i, TICK)) {
          long written = 0;
          boolean number = true;
          for (int d = i + TICK.length; d < i + LOOKAHEAD; d++) {
            byte b = data[d];
            if (b < '0' || b > '9') {
              number = false;
              break;
            }
            written = written * 10 + (b - '0');
          }
          if (number) {
            record(written, receivedNanos);
          }
          i += LOOKAHEAD;
        } else if (startsWith(data, i, END)) {
          ended = true;
          i += END.length;
        } else {
          i++;
        }
      }
      return i;
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
      for (int k = 0; k < prefix.length; k++) {
        if (data[at + k] != prefix[k]) {
          return false;
        }
      }
      return true;
    }

    private void record(long writtenNanos, long receivedNanos) {
      if (sampleCount * 2 + 2 > samples.length) {
        samples = Arrays.copyOf(samples, samples.length * 2);
      }
      samples[sampleCount * 2] = receivedNanos;
      samples[sampleCount * 2 + 1] = writtenNanos;
      sampleCount++;
      ticks++;
      lastTickWritten = writtenNanos;
    }

    List<Long> latenciesAfter(long fromNanos) {
      return latenciesBetween(fromNanos, Long.MAX_VALUE);
    }

    /** Latencies (µs) of the ticks written in [from, until). */
    List<Long> latenciesBetween(long fromNanos, long untilNanos) {
      List<Long> micros = new ArrayList<>();
      for (int s = 0; s < sampleCount; s++) {
        long written = samples[s * 2 + 1];
        if (written >= fromNanos && written < untilNanos) {
          micros.add((samples[s * 2] - written) / 1_000);
        }
      }
      return micros;
    }
  }
}
