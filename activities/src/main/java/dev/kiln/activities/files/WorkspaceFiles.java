package dev.kiln.activities.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.TreeSet;

/** Finds the files matching globs under a workspace: test reports, artifacts. */
public final class WorkspaceFiles {

  private WorkspaceFiles() {}

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
