import dev.kiln.activities.fetch.MirrorCache;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryUrl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Kiln's mirror of an unchanged repository: updating it (a warm fetch) against cloning it (a cold
 * fetch on a new host), both through {@link MirrorCache} in one JVM, interleaved: each round clones
 * into a fresh home, then updates a mirror cloned before. Run by bench/warm-fetch.sh.
 *
 * <p>Arguments: scratch directory, repository URL, rounds, warm fetches per round.
 */
public class WarmFetch {

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    // the policy a worker that allows local repositories applies: file:// only, no network host
    RepositoryUrl url = RepositoryPolicy.of(true, List.of()).check(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int warmPerRound = Integer.parseInt(args[3]);
    MirrorCache warm = new MirrorCache(Files.createDirectories(work.resolve("warm-home")), timeout());
    System.out.println("load average at start: " + loadAverage());
    // Uncounted: the JIT compiles JGit's clone and fetch paths, as in a worker that has run a while
    double firstClone = cold(work, "warm-up", url);
    for (int i = 0; i < 20; i++) {
      sync(warm, url);
    }
    System.out.printf(Locale.ROOT, "first clone (uncounted): %.0f ms%n", firstClone);
    List<Double> colds = new ArrayList<>();
    List<Double> warms = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      colds.add(cold(work, "cold-" + round, url));
      List<Double> thisRound = new ArrayList<>();
      for (int i = 0; i < warmPerRound; i++) {
        thisRound.add(sync(warm, url));
      }
      warms.addAll(thisRound);
      System.out.printf(
          Locale.ROOT,
          "round %d: cold clone %.0f ms, warm fetch median %.1f ms%n",
          round + 1,
          colds.get(round),
          median(thisRound));
    }
    double cold = median(colds);
    double warmMedian = median(warms);
    System.out.printf(
        Locale.ROOT,
        "cold clone median %.0f ms (%s); warm fetch median %.1f ms, p90 %.1f ms (%d fetches)%n",
        cold,
        join(colds),
        warmMedian,
        percentile(warms, 0.9),
        warms.size());
    System.out.printf(
        Locale.ROOT, "warm ÷ cold: %.4f (target ≤ 0.05)%n", warmMedian / cold);
    System.out.println("load average at end: " + loadAverage());
  }

  private static double cold(Path work, String name, RepositoryUrl url) throws Exception {
    MirrorCache fresh = new MirrorCache(Files.createDirectories(work.resolve(name)), timeout());
    return sync(fresh, url);
  }

  private static double sync(MirrorCache cache, RepositoryUrl url) throws Exception {
    long start = System.nanoTime();
    String head = cache.sync(url, line -> {}, mirror -> mirror.resolve("HEAD").name());
    if (head == null) {
      throw new IllegalStateException("no HEAD after the fetch");
    }
    return (System.nanoTime() - start) / 1e6;
  }

  private static Duration timeout() {
    return Duration.ofMinutes(5);
  }

  private static double median(List<Double> values) {
    return percentile(values, 0.5);
  }

  private static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
  }

  private static String join(List<Double> values) {
    StringBuilder out = new StringBuilder();
    for (double v : values) {
      out.append(out.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.0f", v));
    }
    return out.toString();
  }

  private static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }
}
