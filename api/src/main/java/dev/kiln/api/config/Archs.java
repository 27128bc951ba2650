package dev.kiln.api.config;

import java.util.Locale;

/** CPU architecture names as Kiln spells them: the kernel's ({@code uname -m}) names. */
public final class Archs {

  private Archs() {}

  /** Maps aliases onto one name: {@code amd64}→{@code x86_64}, {@code arm64}→{@code aarch64}. */
  public static String normalise(String arch) {
    String a = arch.trim().toLowerCase(Locale.ROOT);
    return switch (a) {
      case "amd64", "x64", "x86-64" -> "x86_64";
      case "arm64" -> "aarch64";
      default -> a;
    };
  }

  /** The architecture of the machine this JVM runs on. */
  public static String current() {
    return normalise(System.getProperty("os.arch"));
  }
}
