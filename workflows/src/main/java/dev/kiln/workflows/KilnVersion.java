package dev.kiln.workflows;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.slf4j.LoggerFactory;

/** The version of Kiln this process runs, as the build wrote it; workers report it to the api. */
public final class KilnVersion {

  private static final String RESOURCE = "kiln-version.properties";

  /**
   * Read once: a worker reports it every two seconds, and reading a resource out of the nested jar
   * the stack runs from took about a millisecond of CPU each time.
   */
  private static final String CURRENT = read();

  private KilnVersion() {}

  /** The project's version, such as {@code 0.1.0-SNAPSHOT}; {@code unknown} outside a build. */
  public static String current() {
    return CURRENT;
  }

  private static String read() {
    try (InputStream in = KilnVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version", "unknown");
      return version.startsWith("@") ? "unknown" : version;
    } catch (IOException e) {
      // read in a class initializer, where throwing would break every later use of the class
      LoggerFactory.getLogger(KilnVersion.class)
          .warn("could not read {}: {}", RESOURCE, e.toString());
      return "unknown";
    }
  }
}
