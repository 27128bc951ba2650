package dev.kiln.activities.process;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a running command's process group so that a worker restarted after a crash can kill what
 * the crash left behind (process groups outlive the JVM that started them).
 *
 * <p>A bare pgid is not enough: after a reboot, or once the whole group has exited, the number can
 * belong to an unrelated group. So the file also holds the boot id and the group leader's start
 * time, and {@link #isStillRunning(GroupRecord)} only claims a group that provably is ours.
 */
final class PidFile {

  private static final Logger log = LoggerFactory.getLogger(PidFile.class);
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  /**
   * What the file holds.
   *
   * @param pgid the process group id (equal to the leader's pid)
   * @param leaderStartTicks the leader's start time in clock ticks since boot, -1 if unknown
   * @param bootId the kernel boot id when the group started, empty if unknown
   */
  record GroupRecord(long pgid, long leaderStartTicks, String bootId) {}

  private PidFile() {}

  /** The record describing the running group {@code pgid}. */
  static GroupRecord describe(long pgid) {
    long start = ProcStat.read(pgid).map(ProcStat::startTicks).orElse(-1L);
    return new GroupRecord(pgid, start, bootId());
  }

  /** Writes atomically, so a crash mid-write never leaves a half file that names a wrong group. */
  static void write(Path file, GroupRecord record) throws IOException {
    String text =
        "# process group of a running kiln command; a restarted worker kills it if still running\n"
            + "pgid="
            + record.pgid()
            + "\nstart="
            + record.leaderStartTicks()
            + "\nboot="
            + record.bootId()
            + "\n";
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The record in {@code file}; empty if there is no file or it cannot be understood. */
  static Optional<GroupRecord> read(Path file) {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
      return Optional.of(
          new GroupRecord(
              Long.parseLong(props.getProperty("pgid", "").trim()),
              Long.parseLong(props.getProperty("start", "-1").trim()),
              props.getProperty("boot", "").trim()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      log.warn("ignoring unreadable pid file {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("cannot delete pid file {}: {}", file, e.toString());
    }
  }

  /**
   * Kills the group recorded in {@code file} if it still runs and provably is the recorded one.
   * Deletes the file unless the group survived SIGKILL, so that the next attempt can retry.
   *
   * @return whether a group was still running
   */
  static boolean killStaleGroup(Path file, Duration gracePeriod) {
    Optional<GroupRecord> record = read(file);
    boolean running = record.isPresent() && isStillRunning(record.get());
    if (running) {
      ProcessGroup stale = new ProcessGroup(record.get().pgid());
      log.warn("killing {} left running by a previous worker (pid file {})", stale, file);
      if (!stale.terminate(gracePeriod)) {
        log.error("{} survived SIGKILL; keeping {} for the next attempt", stale, file);
        return true;
      }
    }
    delete(file);
    return running;
  }

  /**
   * Whether the recorded group still has running members that are provably the ones recorded.
   *
   * <ul>
   *   <li>Another boot id: the machine restarted, nothing from before survives.
   *   <li>The leader pid exists: it must have the recorded start time, else the pid was reused.
   *   <li>The leader is gone but members remain: Linux never hands out a number that is still some
   *       process's pgid, so the members are the recorded group's orphans.
   * </ul>
   */
  static boolean isStillRunning(GroupRecord record) {
    if (record.pgid() <= 1) {
      return false;
    }
    String boot = bootId();
    if (!record.bootId().isEmpty() && !boot.isEmpty() && !record.bootId().equals(boot)) {
      return false;
    }
    Optional<ProcStat> leader = ProcStat.read(record.pgid()).filter(s -> !s.zombie());
    if (leader.isPresent()) {
      return leader.get().pgid() == record.pgid()
          && leader.get().startTicks() == record.leaderStartTicks();
    }
    return new ProcessGroup(record.pgid()).isAlive();
  }

  private static String bootId() {
    try {
      return Files.readString(BOOT_ID).trim();
    } catch (IOException e) {
      return "";
    }
  }
}
