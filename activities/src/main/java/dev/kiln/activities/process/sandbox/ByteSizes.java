package dev.kiln.activities.process.sandbox;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them in kiln.yaml and read them in summaries. Units are binary, as memory
 * and disk tools count: {@code 4g} = {@code 4GiB} = {@code 4G} = 4 × 1024³ bytes.
 */
public final class ByteSizes {

  public static final long KIB = 1024;
  public static final long MIB = KIB * 1024;
  public static final long GIB = MIB * 1024;
  public static final long TIB = GIB * 1024;

  /** A hint for error messages. */
  public static final String HINT = "use 512m, 4g, 1.5g (binary units)";

  private static final Pattern FORMAT =
      Pattern.compile(
          "(\\d{1,12}(?:\\.\\d{1,3})?)\\s*(?:([kmgt])(?:i?b)?|b)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  /** The number of bytes {@code text} spells ({@code 512m}, {@code 4GiB}, {@code 1048576}). */
  public static Optional<Long> parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long unit =
        m.group(2) == null
            ? 1
            : switch (m.group(2).toLowerCase(Locale.ROOT)) {
              case "k" -> KIB;
              case "m" -> MIB;
              case "g" -> GIB;
              default -> TIB;
            };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      return Optional.empty();
    }
    return Optional.of(bytes.longValue());
  }

  /** {@code 4 GiB}, {@code 1.5 GiB}, {@code 256 MiB}, {@code 512 bytes}. */
  public static String format(long bytes) {
    long[] units = {TIB, GIB, MIB, KIB};
    String[] names = {"TiB", "GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      if (bytes >= units[i]) {
        if (bytes % units[i] == 0) {
          return bytes / units[i] + " " + names[i];
        }
        return String.format(Locale.ROOT, "%.1f %s", (double) bytes / units[i], names[i]);
      }
    }
    return bytes + (bytes == 1 ? " byte" : " bytes");
  }
}
