package dev.kiln.dev;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code temporal --version} says, such as {@code temporal version 1.9.1 (Server 1.32.0, UI
 * 2.54.1)}. A {@code go install}-ed CLI calls itself {@code 0.0.0-DEV}, so what Kiln checks is the
 * server it embeds.
 *
 * @param cli the CLI's own version
 * @param server the Temporal server it runs, when it says
 * @param ui the Web UI it serves, when it says
 */
record TemporalCliVersion(String cli, Optional<Release> server, Optional<String> ui) {

  /**
   * The oldest server Kiln has run on (CLI 1.5.1): the priority matcher and update-with-start,
   * which {@code POST /rebuild} uses, both work there with the dynamic config the dev stack sets.
   */
  static final Release MINIMUM_SERVER = new Release(1, 29, 0);

  private static final Pattern CLI = Pattern.compile("version\\s+v?(\\S+)");
  private static final Pattern SERVER =
      Pattern.compile("(?i)server\\s+v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
  private static final Pattern UI = Pattern.compile("(?i)\\bui\\s+v?([\\w.+-]+)");

  /** A server release; pre-release suffixes are ignored. */
  record Release(int major, int minor, int patch) implements Comparable<Release> {
    @Override
    public int compareTo(Release other) {
      if (major != other.major) {
        return Integer.compare(major, other.major);
      }
      if (minor != other.minor) {
        return Integer.compare(minor, other.minor);
      }
      return Integer.compare(patch, other.patch);
    }

    @Override
    public String toString() {
      return major + "." + minor + "." + patch;
    }
  }

  /** Parses the first line of {@code temporal --version}; empty when it names no version. */
  static Optional<TemporalCliVersion> parse(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    Matcher cli = CLI.matcher(line);
    if (!cli.find()) {
      return Optional.empty();
    }
    Matcher server = SERVER.matcher(line);
    Optional<Release> release =
        server.find()
            ? Optional.of(
                new Release(
                    Integer.parseInt(server.group(1)),
                    Integer.parseInt(server.group(2)),
                    server.group(3) == null ? 0 : Integer.parseInt(server.group(3))))
            : Optional.empty();
    Matcher ui = UI.matcher(line);
    return Optional.of(
        new TemporalCliVersion(
            cli.group(1), release, ui.find() ? Optional.of(ui.group(1)) : Optional.empty()));
  }

  /** True when the server is known to be older than {@link #MINIMUM_SERVER}. */
  boolean isTooOld() {
    return server.filter(release -> release.compareTo(MINIMUM_SERVER) < 0).isPresent();
  }

  /** For the console: {@code CLI 1.9.1, Server 1.32.0, UI 2.54.1}. */
  @Override
  public String toString() {
    return "CLI "
        + cli
        + server.map(s -> ", Server " + s).orElse(", server version not stated")
        + ui.map(u -> ", UI " + u).orElse("");
  }
}
