import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N followers of one run's log as SSE through the load balancer; once all of them stream, one api
 * replica is killed (the command given). A follower whose stream breaks reconnects at once with
 * {@code Last-Event-ID}, as EventSource does. At the end every follower must hold each line
 * {@code line <i>} of the build exactly once, for i = 1..expected.
 *
 * <pre>
 * java SseFailover.java &lt;api&gt; &lt;token&gt; &lt;run id&gt; &lt;followers&gt; &lt;expected lines&gt; &lt;kill command…&gt;
 * </pre>
 */
public class SseFailover {

  private static final Pattern LINE = Pattern.compile("line (\\d+) ");

  static final class Follower implements Runnable {
    final int index;
    final String url;
    final String token;
    final ConcurrentHashMap<Integer, Integer> seen = new ConcurrentHashMap<>();
    volatile String lastEventId;
    volatile boolean ended;
    volatile int reconnects;
    volatile long brokenAt; // ms
    final List<Long> recoveries = new CopyOnWriteArrayList<>(); // epoch ms of the first event after a break
    final AtomicLong received = new AtomicLong();
    volatile String error;

    Follower(int index, String url, String token) {
      this.index = index;
      this.url = url;
      this.token = token;
    }

    @Override
    public void run() {
      long deadline = System.currentTimeMillis() + 600_000;
      while (!ended && System.currentTimeMillis() < deadline) {
        try {
          follow();
        } catch (IOException e) {
          // the replica went away mid-stream (or refused): reconnect, as EventSource does
        }
        if (!ended) {
          if (brokenAt == 0) {
            brokenAt = System.currentTimeMillis();
          }
          reconnects++;
          sleep(100);
        }
      }
      if (!ended) {
        error = "no end event within 10 minutes";
      }
    }

    private void follow() throws IOException {
      HttpURLConnection http = (HttpURLConnection) URI.create(url).toURL().openConnection();
      http.setRequestProperty("Accept", "text/event-stream");
      http.setRequestProperty("Authorization", "Bearer " + token);
      if (lastEventId != null) {
        http.setRequestProperty("Last-Event-ID", lastEventId);
      }
      http.setConnectTimeout(5000);
      http.setReadTimeout(60_000);
      if (http.getResponseCode() != 200) {
        int status = http.getResponseCode();
        var err = http.getErrorStream();
        String body = err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8);
        error = status + " " + body; // kept only while it lasts: cleared by a stream that works
        throw new IOException(error);
      }
      error = null;
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(http.getInputStream(), StandardCharsets.UTF_8))) {
        String id = null;
        String event = null;
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("id:")) {
            id = line.substring(3).trim();
          } else if (line.startsWith("event:")) {
            event = line.substring(6).trim();
          } else if (line.startsWith("data:")) {
            if ("log".equals(event)) {
              take(line.substring(5));
            } else if ("end".equals(event)) {
              ended = true;
            }
          } else if (line.isEmpty()) {
            if (id != null && "log".equals(event)) {
              lastEventId = id;
            }
            id = null;
            event = null;
          }
        }
      }
    }

    private void take(String json) {
      if (brokenAt != 0) {
        recoveries.add(System.currentTimeMillis());
        brokenAt = 0;
      }
      // the event's text: lines the build printed, JSON-escaped; "line <i> " marks each
      Matcher m = LINE.matcher(json);
      while (m.find()) {
        seen.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
        received.incrementAndGet();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    String api = args[0];
    String token = args[1];
    String run = args[2];
    int count = Integer.parseInt(args[3]);
    int expected = Integer.parseInt(args[4]);
    List<String> kill = List.of(args).subList(5, args.length);
    String url = api + "/runs/" + run + "/logs";
    List<Follower> followers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Follower f = new Follower(i, url, token);
      followers.add(f);
      Thread t = new Thread(f, "follower-" + i);
      t.start();
      threads.add(t);
    }
    long waitUntil = System.currentTimeMillis() + 120_000;
    while (!followers.stream().allMatch(f -> f.received.get() >= 20)) {
      if (System.currentTimeMillis() > waitUntil) {
        throw new IllegalStateException("followers did not all start streaming");
      }
      sleep(100);
    }
    long killedAt = System.currentTimeMillis();
    Process p = new ProcessBuilder(kill).inheritIO().start();
    p.waitFor();
    System.out.printf("all %d followers streaming; ran %s%n", count, String.join(" ", kill));
    for (Thread t : threads) {
      t.join();
    }
    int exact = 0;
    int reconnected = 0;
    List<Long> recoveries = new ArrayList<>();
    for (Follower f : followers) {
      int missing = 0;
      int doubled = 0;
      for (int i = 1; i <= expected; i++) {
        int n = f.seen.getOrDefault(i, 0);
        if (n == 0) {
          missing++;
        } else if (n > 1) {
          doubled++;
        }
      }
      int extra = (int) f.seen.keySet().stream().filter(i -> i < 1 || i > expected).count();
      if (missing == 0 && doubled == 0 && extra == 0 && f.error == null) {
        exact++;
      } else {
        System.out.printf(
            "follower %d: %d lines missing, %d twice, %d unexpected, %s%n",
            f.index, missing, doubled, extra, f.error == null ? "ended" : f.error);
      }
      if (f.reconnects > 0) {
        reconnected++;
        f.recoveries.forEach(t -> recoveries.add(t - killedAt));
      }
    }
    recoveries.sort(null);
    System.out.printf(
        "%d of %d followers got lines 1..%d exactly once; %d of them reconnected after the kill%n",
        exact, count, expected, reconnected);
    if (!recoveries.isEmpty()) {
      System.out.printf(
          "replica killed -> reconnected followers streaming again: p50 %d ms, max %d ms (%d"
              + " reconnections)%n",
          recoveries.get((recoveries.size() - 1) / 2),
          recoveries.get(recoveries.size() - 1),
          recoveries.size());
    }
    System.out.printf("killed at %d%n", killedAt);
    System.exit(exact == count ? 0 : 1);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
