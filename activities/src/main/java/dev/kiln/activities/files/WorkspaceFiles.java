package dev.kiln.activities.files;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Reads a workspace, whose content is untrusted: the files matching globs (test reports, artifacts)
 * and the small files detection looks at. A 2 GiB {@code Makefile} must not take the worker's heap
 * with it, so every read is capped.
 */
public final class WorkspaceFiles {

  /** Plenty for a pom.xml, package.json, Cargo.toml or a generated Makefile.in. */
  public static final int MAX_READ_BYTES = 4 * 1024 * 1024;

  private WorkspaceFiles() {}

  /** Whether {@code name} (relative to the workspace) is a regular file inside it. */
  public static boolean isFile(Path workspace, String name) {
    return isRegularInside(workspace, workspace.resolve(name));
  }

  /**
   * Whether {@code file} is a regular file that is, once every symbolic link on its way is
   * resolved, inside {@code workspace}. The workspace is the build's (or the repository's: git
   * checks links out), and the worker reads it outside the sandbox: a link to the worker's token,
   * {@code /proc} or another run's files would have the worker read them into a plan error, a
   * failure summary or a test result.
   */
  public static boolean isRegularInside(Path workspace, Path file) {
    try {
      return insideOrNull(workspace, file) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Opens a file {@link #isRegularInside} accepts, by its resolved path, which no link can
   * redirect: the last component is opened without following one.
   *
   * @throws NoSuchFileException it is not a regular file inside the workspace
   */
  public static InputStream openInside(Path workspace, Path file) throws IOException {
    Path real = insideOrNull(workspace, file);
    if (real == null) {
      throw new NoSuchFileException(file.toString(), null, "not a regular file in the workspace");
    }
    return Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS);
  }

  private static Path insideOrNull(Path workspace, Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    Path real = file.toRealPath();
    return real.startsWith(workspace.toRealPath())
            && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)
        ? real
        : null;
  }

  /**
   * The file's first {@link #MAX_READ_BYTES} bytes as UTF-8 (malformed bytes replaced), or empty if
   * it is not a regular file inside the workspace ({@link #isRegularInside}).
   */
  public static Optional<String> read(Path workspace, String name) throws IOException {
    Path file = workspace.resolve(name);
    if (!isRegularInside(workspace, file)) {
      return Optional.empty();
    }
    try (InputStream in = openInside(workspace, file)) {
      return Optional.of(new String(in.readNBytes(MAX_READ_BYTES), StandardCharsets.UTF_8));
    }
  }

  /**
   * Regular files under {@code workspace} matching any glob, as workspace-relative paths, sorted
   * (so "the first failing test" is the same on every run). Symlinks are not followed: they could
   * lead out of the workspace or round in circles. {@code .git} is skipped.
   */
  public static List<Path> find(Path workspace, List<String> globs) throws IOException {
    List<Glob> patterns = globs.stream().map(Glob::of).toList();
    TreeSet<Path> found = new TreeSet<>();
    if (patterns.isEmpty() || !Files.isDirectory(workspace)) {
      return List.of();
    }
    Files.walkFileTree(
        workspace,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return dir.getFileName() != null && dir.getFileName().toString().equals(".git")
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            Path relative = workspace.relativize(file);
            String unixPath = relative.toString().replace(file.getFileSystem().getSeparator(), "/");
            if (attrs.isRegularFile() && patterns.stream().anyMatch(g -> g.matches(unixPath))) {
              found.add(relative);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            // A directory the build made unreadable must not hide the reports elsewhere.
            return FileVisitResult.CONTINUE;
          }
        });
    return List.copyOf(found);
  }
}
