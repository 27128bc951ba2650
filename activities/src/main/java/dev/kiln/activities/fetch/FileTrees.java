package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Deletes trees that a build may have made hostile to deletion. */
final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes {@code path} and everything under it. Symbolic links are deleted, never followed, so a
   * link a build planted pointing at {@code /} or at another workspace cannot widen the deletion.
   * Directories a build made read-only (Go's module cache does this) are made writable first.
   * Deleting something that is already gone is not an error.
   */
  static void deleteRecursively(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (attributes.isDirectory()) {
      makeOwnerAccessible(path);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
        for (Path child : children) {
          deleteRecursively(child);
        }
      }
    }
    delete(path);
  }

  private static void delete(Path path) throws IOException {
    try {
      Files.deleteIfExists(path);
    } catch (AccessDeniedException e) {
      // Windows refuses to delete a read-only file; POSIX only cares about the directory.
      DosFileAttributeView dos =
          Files.getFileAttributeView(path, DosFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      if (dos == null) {
        throw e;
      }
      dos.setReadOnly(false);
      Files.deleteIfExists(path);
    }
  }

  private static void makeOwnerAccessible(Path directory) throws IOException {
    PosixFileAttributeView posix =
        Files.getFileAttributeView(
            directory, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (posix == null) {
      return;
    }
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    permissions.addAll(posix.readAttributes().permissions());
    if (permissions.addAll(
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE))) {
      posix.setPermissions(permissions);
    }
  }
}
