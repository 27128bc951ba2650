package dev.kiln.workflows;

import dev.kiln.workflows.repo.RepositoryKey;
import io.temporal.common.Priority;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Fair queues: one repository's hundred queued builds do not starve another's single build. A run's
 * workflow carries a Temporal priority with its repository as the fairness key and the weight of
 * the repository's registration; its fetch inherits both. Within one priority key, a task queue
 * with fairness on hands its backlog out by stride scheduling over the keys: each key's next task
 * gets a pass {@code 1000 / weight} beyond its previous one (never below the queue's current
 * level), and the lowest pass goes first, so a key with weight 2 gets twice the share of a key with
 * weight 1 and a key that just arrived goes ahead of another's long backlog.
 */
public final class FairQueues {

  /** The weight of a repository that is not registered or sets none. */
  public static final double DEFAULT_WEIGHT = 1.0;

  /** Temporal's bounds for a fairness weight. */
  public static final double MIN_WEIGHT = 0.001;

  public static final double MAX_WEIGHT = 1000;

  /** Temporal refuses longer fairness keys. */
  static final int MAX_KEY_BYTES = 64;

  /** Hex digits of the hash that stands for the end of a key too long to keep whole. */
  private static final int HASH_HEX = 16;

  private FairQueues() {}

  /**
   * The fairness key of {@code repo}: its URL as repositories are compared ({@link RepositoryKey}),
   * so {@code …/app} and {@code …/app.git} share one queue; a URL longer than Temporal's 64 bytes
   * keeps its start and ends in a hash of the whole.
   */
  public static String key(String repo) {
    String key = RepositoryKey.of(repo == null ? "" : repo);
    if (key.getBytes(StandardCharsets.UTF_8).length <= MAX_KEY_BYTES) {
      return key;
    }
    String hash = sha256Hex(key).substring(0, HASH_HEX);
    int room = MAX_KEY_BYTES - HASH_HEX - 1;
    StringBuilder start = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < key.length(); ) {
      int codePoint = key.codePointAt(i);
      String next = new String(Character.toChars(codePoint));
      bytes += next.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > room) {
        break;
      }
      start.append(next);
      i += Character.charCount(codePoint);
    }
    return start + "#" + hash;
  }

  /** Whether {@code weight} is one a registration may set. */
  public static boolean validWeight(double weight) {
    return Double.isFinite(weight) && weight >= MIN_WEIGHT && weight <= MAX_WEIGHT;
  }

  /**
   * The weight a run carries: {@code 0}, as in requests recorded before weights, is {@link
   * #DEFAULT_WEIGHT}; others are held within Temporal's bounds.
   */
  public static double weight(double requested) {
    if (!(requested > 0) || !Double.isFinite(requested)) {
      return DEFAULT_WEIGHT;
    }
    return Math.min(MAX_WEIGHT, Math.max(MIN_WEIGHT, requested));
  }

  /** The Temporal priority of a run: its priority key, its repository's key and weight. */
  public static Priority priority(RebuildRequest request) {
    return Priority.newBuilder()
        .setPriorityKey(RunPriority.temporalKeyOf(request.priority()))
        .setFairnessKey(key(request.repo()))
        .setFairnessWeight((float) weight(request.fairnessWeight()))
        .build();
  }

  private static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
