package dev.kiln.activities.process.sandbox;

import java.nio.file.Path;
import java.util.List;

/** The cgroup of one build step: limits written, processes joined, usage read, then removed. */
public interface StepCgroup extends AutoCloseable {

  /** The files a process writes its pid into to join (one per hierarchy under cgroup v1). */
  List<Path> procsFiles();

  /**
   * The files a helper of the step (its output relay) joins: the step's share of the CPU, but none
   * of its memory or process limits, which a fork bomb or an out-of-memory kill of the build must
   * not take the helper down with.
   */
  List<Path> helperProcsFiles();

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
