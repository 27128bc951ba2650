package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Decides whether a mirror can be fetched into or must be thrown away. A worker killed mid-write, a
 * full disk or an operator's stray {@code rm} leave mirrors that JGit may fetch into "fine" and
 * then fail on later, during checkout, with a less obvious error.
 */
final class MirrorHealth {

  private MirrorHealth() {}

  /**
   * Returns what is wrong with the mirror at {@code dir}, or {@code null} if it looks sound. Checks
   * that it opens as a bare repository and that every ref tip's object is present: cheap (one index
   * lookup per ref), and it catches the usual damage of lost pack files.
   */
  static String problem(Path dir) {
    if (!Files.isDirectory(dir)) {
      return "not a directory";
    }
    try (Repository repo = open(dir)) {
      return problem(repo);
    } catch (RepositoryNotFoundException e) {
      return "not a git repository";
    } catch (IOException | RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** As {@link #problem(Path)}, for a mirror already open. */
  static String problem(Repository repo) {
    try {
      if (!repo.isBare()) {
        return "not a bare repository";
      }
      return missingRefTip(repo);
    } catch (IOException | RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  static Repository open(Path dir) throws IOException {
    return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
  }

  private static String missingRefTip(Repository repo) throws IOException {
    try (ObjectReader reader = repo.newObjectReader()) {
      for (Ref ref : repo.getRefDatabase().getRefs()) {
        // HEAD and other symbolic refs are checked through the ref they point to.
        if (!ref.isSymbolic() && ref.getObjectId() != null && !reader.has(ref.getObjectId())) {
          return ref.getName() + " points to missing object " + ref.getObjectId().name();
        }
      }
    }
    return null;
  }
}
