package dev.kiln.activities.process.sandbox;

import java.nio.file.Path;
import java.util.List;

/** The cgroup of one build step: limits written, processes joined, usage read, then removed. */
public interface StepCgroup extends AutoCloseable {

  /**
   * The files a single-threaded process joins the step through, writing {@code 0} (itself) into
   * each: one per hierarchy under cgroup v1, where they are the {@code tasks} files. A v1 {@code
   * tasks} file moves the writing thread alone, which the kernel does without the lock it takes
   * over every thread group in the system to move a whole process ({@code cgroup.procs}), whose
   * every first write after a quiet while waits for an RCU grace period: 5–10 ms on a 2-core host,
   * before each command of a build could start. For a process of one thread, its thread is the
   * process. Under cgroup v2 the file is {@code cgroup.procs}, which has no such way round.
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
