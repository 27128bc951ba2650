package dev.kiln.workflows;

import java.util.Locale;

/**
 * CPU architecture names as Kiln spells them, the kernel's ({@code uname -m}): one name per
 * architecture, whatever the JVM, a package manager or a user calls it. The api and the workers
 * name task queues and lanes with it, so both must agree.
 */
public final class Architectures {

  private Architectures() {}

  /** Maps aliases onto one name: {@code amd64}→{@code x86_64}, {@code arm64}→{@code aarch64}. */
  public static String normalise(String arch) {
    String name = arch.trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "amd64", "x64", "x86-64" -> "x86_64";
      case "arm64" -> "aarch64";
      default -> name;
    };
  }

  /** The architecture of the machine this JVM runs on. */
  public static String current() {
    return normalise(System.getProperty("os.arch"));
  }
}
