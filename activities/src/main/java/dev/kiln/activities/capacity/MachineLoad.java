package dev.kiln.activities.capacity;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the whole machine's CPU and memory use, not only this JVM's: builds run in child processes.
 * On Linux from {@code /proc/stat} and {@code /proc/meminfo} (memory in use = total − available, so
 * the page cache counts as free); elsewhere from the JVM's operating-system bean.
 *
 * <p>CPU use is a share of the time between two readings, so the caller reads at a steady pace.
 */
public final class MachineLoad {

  private final Path proc;
  private CpuTimes previous;
  private volatile Load latest = Load.UNKNOWN;

  public MachineLoad(Path proc) {
    this.proc = proc;
  }

  public static MachineLoad ofThisMachine() {
    return new MachineLoad(Path.of("/proc"));
  }

  /** The last reading, cheap: for decisions taken on every poll. */
  public Load latest() {
    return latest;
  }

  /** Takes a new reading and remembers it. */
  public synchronized Load read() {
    Load load;
    try {
      CpuTimes now = CpuTimes.parse(Files.readAllLines(proc.resolve("stat")));
      double cpu = previous == null ? 0 : now.busySince(previous);
      previous = now;
      load = new Load(cpu, memoryInUse(Files.readAllLines(proc.resolve("meminfo"))));
    } catch (IOException | RuntimeException e) {
      load = fromJvm();
    }
    latest = load;
    return load;
  }

  /** {@code 1 - MemAvailable / MemTotal} from {@code /proc/meminfo}. */
  static double memoryInUse(List<String> meminfo) {
    long total = kilobytes(meminfo, "MemTotal:");
    long available = kilobytes(meminfo, "MemAvailable:");
    if (total <= 0 || available < 0) {
      throw new IllegalArgumentException("meminfo lacks MemTotal or MemAvailable");
    }
    return clamp(1.0 - (double) available / total);
  }

  private static long kilobytes(List<String> meminfo, String key) {
    for (String line : meminfo) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  private static Load fromJvm() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      double cpu = Math.max(0, os.getCpuLoad());
      long total = os.getTotalMemorySize();
      double memory = total <= 0 ? 0 : 1.0 - (double) os.getFreeMemorySize() / total;
      return new Load(clamp(cpu), clamp(memory));
    }
    return Load.UNKNOWN;
  }

  private static double clamp(double fraction) {
    return Math.max(0, Math.min(1, fraction));
  }

  /** The aggregate {@code cpu} line of {@code /proc/stat}, in clock ticks. */
  record CpuTimes(long idle, long total) {

    static CpuTimes parse(List<String> stat) {
      for (String line : stat) {
        if (line.startsWith("cpu ")) {
          String[] fields = line.trim().split("\\s+");
          long total = 0;
          // user nice system idle iowait irq softirq steal; guest times are already in user/nice
          int counted = Math.min(fields.length, 9);
          for (int i = 1; i < counted; i++) {
            total += Long.parseLong(fields[i]);
          }
          long idle =
              Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
          return new CpuTimes(idle, total);
        }
      }
      throw new IllegalArgumentException("/proc/stat has no aggregate cpu line");
    }

    double busySince(CpuTimes earlier) {
      long total = this.total - earlier.total;
      if (total <= 0) {
        return 0;
      }
      return clamp(1.0 - (double) (this.idle - earlier.idle) / total);
    }
  }
}
