package dev.kiln.worker;

import java.util.Locale;

/** One name per CPU architecture, whatever the JVM or the user calls it. */
public final class Architectures {

  private Architectures() {}

  public static String normalise(String arch) {
    String name = arch.trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "amd64", "x86-64", "x64" -> "x86_64";
      case "arm64" -> "aarch64";
      default -> name;
    };
  }
}
