package dev.kiln.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/** Real git repositories, made with JGit from the fixture trees under test resources. */
final class GitFixtures {

  private final Path root;

  GitFixtures(Path root) {
    this.root = root;
  }

  /**
   * A repository whose single commit on {@code main} holds the files of {@code
   * src/test/resources/fixtures/<name>} plus {@code overrides} (path → content).
   */
  String repository(String name, Map<String, String> overrides) throws Exception {
    Path dir = root.resolve(name + "-" + System.nanoTime());
    copyFixture(name, dir);
    for (var file : overrides.entrySet()) {
      Path target = dir.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, file.getValue());
    }
    commitAll(dir, "fixture " + name);
    return dir.toUri().toString();
  }

  /**
   * A repository whose single commit on {@code main} holds exactly {@code files} (path → content),
   * for projects written out in the test itself. Files ending in {@code .sh} are executable; an
   * autotools project ({@code configure.ac}) gets its {@code configure} from autoreconf.
   */
  String project(String label, Map<String, String> files) throws Exception {
    Path dir = root.resolve(label + "-" + System.nanoTime());
    for (var file : files.entrySet()) {
      Path target = dir.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.writeString(target, file.getValue());
      if (file.getKey().endsWith(".sh")) {
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
    }
    if (Files.exists(dir.resolve("pom.xml"))) {
      addMavenWrapper(dir);
    }
    if (Files.exists(dir.resolve("configure.ac")) && !Files.exists(dir.resolve("configure"))) {
      generateConfigure(dir);
    }
    commitAll(dir, "project " + label);
    return dir.toUri().toString();
  }

  /** A new commit on {@code main} of a repository made by {@link #repository}, deleting files. */
  static void commitDeletion(String repositoryUri, String... paths) throws Exception {
    Path dir = Path.of(java.net.URI.create(repositoryUri));
    try (Git git = Git.open(dir.toFile())) {
      for (String path : paths) {
        git.rm().addFilepattern(path).call();
      }
      PersonIdent author = new PersonIdent("Kiln Test", "test@kiln.dev");
      git.commit()
          .setMessage("delete " + String.join(", ", paths))
          .setAuthor(author)
          .setCommitter(author)
          .call();
    }
  }

  /** A new commit on {@code main} of a repository made by {@link #repository}, writing a file. */
  static void commitFile(String repositoryUri, String path, String content) throws Exception {
    Path dir = Path.of(java.net.URI.create(repositoryUri));
    Files.writeString(dir.resolve(path), content);
    try (Git git = Git.open(dir.toFile())) {
      git.add().addFilepattern(path).call();
      PersonIdent author = new PersonIdent("Kiln Test", "test@kiln.dev");
      git.commit().setMessage("write " + path).setAuthor(author).setCommitter(author).call();
    }
  }

  /** Adds the Maven wrapper of this project, so the fixture builds with ./mvnw like a real one. */
  static void addMavenWrapper(Path dir) throws IOException {
    Path projectRoot = Path.of("..").toAbsolutePath().normalize();
    Files.copy(projectRoot.resolve("mvnw"), dir.resolve("mvnw"));
    Files.setPosixFilePermissions(
        dir.resolve("mvnw"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(dir.resolve(".mvn/wrapper"));
    Files.copy(
        projectRoot.resolve(".mvn/wrapper/maven-wrapper.properties"),
        dir.resolve(".mvn/wrapper/maven-wrapper.properties"));
  }

  private static void copyFixture(String name, Path dir) throws IOException {
    Path source;
    try {
      source = Path.of(GitFixtures.class.getResource("/fixtures/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    try (var files = Files.walk(source)) {
      for (Path file : files.toList()) {
        Path target = dir.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          try (InputStream in = Files.newInputStream(file)) {
            Files.copy(in, target);
          }
          if (file.getFileName().toString().endsWith(".sh")) {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
          }
        }
      }
    }
    if (Files.exists(dir.resolve("pom.xml"))) {
      addMavenWrapper(dir);
    }
    if (Files.exists(dir.resolve("configure.ac")) && !Files.exists(dir.resolve("configure"))) {
      generateConfigure(dir);
    }
  }

  /**
   * Runs autoreconf, so the repository holds {@code configure} and {@code Makefile.in} the way an
   * autotools project's release does, and Kiln detects it as one.
   */
  private static void generateConfigure(Path dir) throws IOException {
    Process autoreconf;
    try {
      autoreconf =
          new ProcessBuilder("autoreconf", "-fi")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "autoreconf is needed for the autotools fixture (apt-get install autoconf automake)", e);
    }
    String output = new String(autoreconf.getInputStream().readAllBytes());
    try {
      if (autoreconf.waitFor() != 0) {
        throw new IllegalStateException("autoreconf failed in " + dir + ":\n" + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    deleteTree(dir.resolve("autom4te.cache"));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static void commitAll(Path dir, String message) {
    try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      PersonIdent author = new PersonIdent("Kiln Test", "test@kiln.dev");
      git.commit().setMessage(message).setAuthor(author).setCommitter(author).call();
    } catch (GitAPIException e) {
      throw new UncheckedIOException(new IOException(e));
    }
  }
}
