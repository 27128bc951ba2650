package dev.kiln.dev;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Which of HotSpot's compilers Kiln's process runs with, for the start-up log. Kiln's processes are
 * meant to run with C1 alone ({@code -XX:TieredStopAtLevel=1}, in every command the project
 * documents): Kiln's work per build is broad and shallow (workflow tasks, activities and requests,
 * each through a different stack of gRPC, Jackson, JGit and Spring), so C2 kept finding methods to
 * optimise build after build and, on a 2-core machine, took the CPU from the build
 * (docs/operations.md, "The JIT compiler"). The log says so when C2 is on, as a JVM flag cannot be
 * set from inside the process.
 */
final class JitMode {

  static final String C1_ONLY_FLAG = "-XX:TieredStopAtLevel=1";

  private JitMode() {}

  /** This JVM's compilers, described; "unknown" on a JVM that is not HotSpot. */
  static String current() {
    try {
      HotSpotDiagnosticMXBean hotspot =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return describe(
          hotspot.getVMOption("TieredCompilation").getValue(),
          hotspot.getVMOption("TieredStopAtLevel").getValue());
    } catch (RuntimeException | LinkageError e) {
      return "unknown (" + e + ")";
    }
  }

  /**
   * @param tieredCompilation the JVM's {@code TieredCompilation} ({@code true}, {@code false})
   * @param tieredStopAtLevel its {@code TieredStopAtLevel} (4 by default: up to C2)
   */
  static String describe(String tieredCompilation, String tieredStopAtLevel) {
    boolean tiered = Boolean.parseBoolean(tieredCompilation);
    if (tiered && Integer.parseInt(tieredStopAtLevel) < 4) {
      return "C1 only";
    }
    return (tiered ? "C1 and C2" : "C2 only")
        + "; start Kiln with "
        + C1_ONLY_FLAG
        + " to leave builds the CPU that C2 takes (docs/operations.md)";
  }
}
