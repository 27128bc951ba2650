package dev.kiln.activities.process.sandbox;

import java.nio.file.Path;
import java.util.List;

/** The cgroup of one build step: limits written, processes joined, usage read, then removed. */
public interface StepCgroup extends AutoCloseable {

  /**
   * The files a single-threaded process joins the step through, writing {@code 0} (itself, not its
   * pid) into each: one per hierarchy under cgroup v1, where they are the {@code tasks} files, and
   * {@code cgroup.procs} under v2. {@code 0} into a v1 {@code tasks} file moves the writing thread
   * alone, which the kernel does without its lock over every thread group in the system; a pid, or
   * {@code cgroup.procs}, takes that lock, and on kernels from 6.0 on without the {@code
   * favordynmods} mount option its first taking after a quiet while waits for an RCU grace period
   * (4.5–10 ms on the 2-core 6.18 host Kiln is measured on), before each command of a build could
   * start. For a process of one thread, its thread is the process. Under v2, {@code favordynmods}
   * is what spares the wait.
   */
  List<Path> joinFiles();

  /**
   * The files a helper of the step (its output relay) joins, as {@link #joinFiles} says: the step's
   * share of the CPU, but none of its memory or process limits, which a fork bomb or an
   * out-of-memory kill of the build must not take the helper down with.
   */
  List<Path> helperJoinFiles();

  /** Peak memory and CPU time of everything that ran in it. */
  StepUsage usage();

  /** How often the kernel's OOM killer killed a process in it for exceeding the memory limit. */
  long oomKills();

  /** How often a fork or clone failed because the process limit was reached. */
  long pidsLimitHits();

  /** Removes it; call once its processes are gone. Never throws. */
  @Override
  void close();
}
