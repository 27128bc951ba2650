package dev.kiln.activities.fetch;

import java.time.Duration;
import java.util.function.Consumer;
import org.eclipse.jgit.lib.ProgressMonitor;

/**
 * Turns JGit's progress callbacks into a few whole log lines: one when a task ends, and one every
 * {@link #INTERVAL} while a long task (a first clone of a big repository) is still going, so the
 * run log shows the fetch is alive without the thousands of updates a terminal would get.
 */
final class LineProgressMonitor implements ProgressMonitor {

  static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Consumer<String> lines;
  private String task;
  private int total;
  private int done;
  private long lastLineNanos;

  LineProgressMonitor(Consumer<String> lines) {
    this.lines = lines;
  }

  @Override
  public void start(int totalTasks) {}

  @Override
  public void beginTask(String title, int totalWork) {
    task = title;
    total = totalWork;
    done = 0;
    lastLineNanos = System.nanoTime();
  }

  @Override
  public void update(int completed) {
    done += completed;
    long now = System.nanoTime();
    if (now - lastLineNanos >= INTERVAL.toNanos()) {
      lastLineNanos = now;
      lines.accept(task + ": " + amount());
    }
  }

  @Override
  public void endTask() {
    if (task != null && done > 0) {
      lines.accept(task + ": " + amount() + ", done");
    }
    task = null;
  }

  private String amount() {
    return total == UNKNOWN ? Integer.toString(done) : done + "/" + total;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void showDuration(boolean enabled) {}
}
