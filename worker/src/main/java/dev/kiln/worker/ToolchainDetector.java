package dev.kiln.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each toolchain's version command once, all at once, each with a short timeout, and labels
 * the host with what answered ({@link ToolchainLabels}). A missing or hanging tool is no label.
 */
final class ToolchainDetector {

  private static final Logger log = LoggerFactory.getLogger(ToolchainDetector.class);

  /** Version commands answer in well under a second; a JVM's {@code -version} in about 100 ms. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final int MAX_OUTPUT = 64 * 1024;

  private ToolchainDetector() {}

  /** The labels of the toolchains on this machine's PATH, in {@link ToolchainLabels} order. */
  static List<String> detect() {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            ToolchainLabels.values().length,
            r -> {
              Thread thread = new Thread(r, "kiln-toolchain-probe");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<CompletableFuture<Optional<String>>> probes = new ArrayList<>();
      for (ToolchainLabels toolchain : ToolchainLabels.values()) {
        probes.add(CompletableFuture.supplyAsync(() -> probe(toolchain), pool));
      }
      List<String> labels = new ArrayList<>();
      for (CompletableFuture<Optional<String>> probe : probes) {
        labels.addAll(await(probe).stream().toList());
      }
      return labels;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Optional<String> await(CompletableFuture<Optional<String>> probe) {
    try {
      return probe.get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> probe(ToolchainLabels toolchain) {
    Process process;
    try {
      process = new ProcessBuilder(toolchain.command()).redirectErrorStream(true).start();
    } catch (IOException notInstalled) {
      return Optional.empty();
    }
    try {
      CompletableFuture<String> output =
          CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.info("{}: no answer within {}; not labelled", toolchain.command(), TIMEOUT);
        return Optional.empty();
      }
      return toolchain.labelOf(output.get(1, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    } finally {
      process.destroyForcibly();
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readNBytes(MAX_OUTPUT), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
