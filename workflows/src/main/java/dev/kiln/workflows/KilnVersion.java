package dev.kiln.workflows;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of Kiln this process runs, as the build wrote it; workers report it to the api. */
public final class KilnVersion {

  private static final String RESOURCE = "kiln-version.properties";

  private KilnVersion() {}

  /** The project's version, such as {@code 0.1.0-SNAPSHOT}; {@code unknown} outside a build. */
  public static String current() {
    try (InputStream in = KilnVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "unknown");
      return version.startsWith("@") ? "unknown" : version;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
