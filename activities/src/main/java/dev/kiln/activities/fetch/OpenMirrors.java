package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.Repository;

/**
 * The few mirrors this JVM used last, kept open between fetches. Opening a mirror reads its pack
 * index into memory (7 MiB for a repository of 50 000 commits, ten milliseconds and more), which
 * was most of what updating an unchanged mirror cost; JGit's open repository also keeps refs and
 * packs it has read until their files change.
 *
 * <p>A kept mirror is reused only while nothing but this JVM's own fetches changed it: the same
 * directory (not one deleted and made again), the same {@code config}, and the same pack files as
 * after the last fetch here. Anything else (another process's fetch, an operator's repair, lost
 * packs) closes it, and the mirror is opened and checked afresh. Callers hold the mirror's lock.
 *
 * <p>At most {@link #KEPT} stay open, the least recently used closed first, so a worker building
 * many repositories holds only a few indexes in memory.
 */
final class OpenMirrors {

  /** Mirrors kept open at most. */
  static final int KEPT = 4;

  private static final Map<Path, Kept> KEPT_MIRRORS = new LinkedHashMap<>(8, 0.75f, true);

  private record Kept(Repository repository, Fingerprint fingerprint) {}

  /** What must not change behind a kept mirror's back. */
  private record Fingerprint(
      Object directory, long configModified, long configSize, List<String> packs) {

    static Fingerprint of(Path dir) throws IOException {
      BasicFileAttributes directory =
          Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      BasicFileAttributes config =
          Files.readAttributes(dir.resolve("config"), BasicFileAttributes.class);
      List<String> packs = new ArrayList<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve("objects/pack"))) {
        for (Path file : files) {
          BasicFileAttributes pack = Files.readAttributes(file, BasicFileAttributes.class);
          packs.add(file.getFileName() + " " + pack.size() + " " + pack.lastModifiedTime());
        }
      }
      packs.sort(null);
      return new Fingerprint(
          directory.fileKey(), config.lastModifiedTime().toMillis(), config.size(), packs);
    }
  }

  private OpenMirrors() {}

  /**
   * The mirror at {@code dir} as it was kept, opened once more for the caller (who closes it), or
   * {@code null} when none is kept or it changed since (then it is closed here).
   */
  static Repository reuse(Path dir) {
    Kept kept;
    synchronized (KEPT_MIRRORS) {
      kept = KEPT_MIRRORS.get(dir);
    }
    if (kept == null) {
      return null;
    }
    if (!kept.fingerprint().equals(fingerprintOrNull(dir))) {
      forget(dir);
      return null;
    }
    kept.repository().incrementOpen();
    return kept.repository();
  }

  /** Keeps {@code mirror} open for the next fetch of {@code dir}, as the directory is now. */
  static void keep(Path dir, Repository mirror) {
    Fingerprint fingerprint = fingerprintOrNull(dir);
    if (fingerprint == null) {
      forget(dir);
      return;
    }
    List<Repository> toClose = new ArrayList<>();
    synchronized (KEPT_MIRRORS) {
      Kept previous = KEPT_MIRRORS.get(dir);
      if (previous == null || previous.repository() != mirror) {
        mirror.incrementOpen();
        if (previous != null) {
          toClose.add(previous.repository());
        }
      }
      KEPT_MIRRORS.put(dir, new Kept(mirror, fingerprint));
      Iterator<Kept> oldestFirst = KEPT_MIRRORS.values().iterator();
      while (KEPT_MIRRORS.size() > KEPT) {
        toClose.add(oldestFirst.next().repository());
        oldestFirst.remove();
      }
    }
    // A repository still in use by another mirror's fetch closes once that fetch closes it too.
    toClose.forEach(Repository::close);
  }

  /** Closes the mirror kept for {@code dir}, if any: it is about to be deleted or is suspect. */
  static void forget(Path dir) {
    Kept kept;
    synchronized (KEPT_MIRRORS) {
      kept = KEPT_MIRRORS.remove(dir);
    }
    if (kept != null) {
      kept.repository().close();
    }
  }

  private static Fingerprint fingerprintOrNull(Path dir) {
    try {
      return Fingerprint.of(dir);
    } catch (IOException e) {
      return null; // gone or unreadable: open it afresh, and let the health check say what is wrong
    }
  }
}
