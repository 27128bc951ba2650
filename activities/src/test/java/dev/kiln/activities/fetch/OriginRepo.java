package dev.kiln.activities.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;

/** A real origin repository in a temp dir, built with JGit, reachable through a file:// URL. */
final class OriginRepo implements AutoCloseable {

  private static final PersonIdent AUTHOR =
      new PersonIdent(
          "Kiln Test", "test@kiln.invalid", Instant.parse("2024-01-02T03:04:05Z"), ZoneOffset.UTC);

  private final Path dir;
  private final Git git;

  private OriginRepo(Path dir, Git git) {
    this.dir = dir;
    this.git = git;
  }

  static OriginRepo create(Path dir) throws GitAPIException {
    return new OriginRepo(
        dir, Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call());
  }

  /** Like {@link #create} with one commit on main, so there is something to fetch. */
  static OriginRepo withCommit(Path dir) throws GitAPIException, IOException {
    OriginRepo origin = create(dir);
    origin.commit("README.md", "hello\n");
    return origin;
  }

  String url() {
    return dir.toUri().toString();
  }

  Path dir() {
    return dir;
  }

  Git git() {
    return git;
  }

  Repository repository() {
    return git.getRepository();
  }

  RevCommit commit(String path, String content) throws IOException, GitAPIException {
    Path file = dir.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    git.add().addFilepattern(path).call();
    return git.commit()
        .setMessage("change " + path)
        .setAuthor(AUTHOR)
        .setCommitter(AUTHOR)
        .setSign(false)
        .call();
  }

  void branch(String name) throws GitAPIException {
    git.branchCreate().setName(name).call();
  }

  void checkout(String branch) throws GitAPIException {
    git.checkout().setName(branch).call();
  }

  void deleteBranch(String name) throws GitAPIException {
    git.branchDelete().setBranchNames(name).setForce(true).call();
  }

  void lightweightTag(String name, ObjectId target) throws GitAPIException, IOException {
    git.tag()
        .setName(name)
        .setAnnotated(false)
        .setObjectId(git.getRepository().parseCommit(target))
        .setForceUpdate(true)
        .call();
  }

  void annotatedTag(String name, ObjectId target) throws GitAPIException, IOException {
    git.tag()
        .setName(name)
        .setMessage("release " + name)
        .setTagger(AUTHOR)
        .setSigned(false)
        .setObjectId(git.getRepository().parseCommit(target))
        .setForceUpdate(true)
        .call();
  }

  /** Points a ref straight at any object (for tags on trees and the like). */
  void forceRef(String name, ObjectId target) throws IOException {
    RefUpdate update = repository().updateRef(name);
    update.setNewObjectId(target);
    update.forceUpdate();
  }

  /**
   * Adds a chain of empty-change commits on branch {@code branch} until two of them share a 4-digit
   * sha prefix. Author and committer times are fixed, so the chain and its collision are the same
   * on every run.
   *
   * @return the two colliding commits
   */
  ObjectId[] commitsWithSharedPrefix(String branch) throws IOException {
    Map<String, ObjectId> byPrefix = new HashMap<>();
    ObjectId parent = repository().resolve(Constants.HEAD);
    ObjectId tree = repository().parseCommit(parent).getTree();
    try (ObjectInserter inserter = repository().newObjectInserter()) {
      for (int i = 0; ; i++) {
        CommitBuilder commit = new CommitBuilder();
        commit.setTreeId(tree);
        commit.setParentId(parent);
        commit.setAuthor(AUTHOR);
        commit.setCommitter(AUTHOR);
        commit.setMessage("filler " + i + "\n");
        ObjectId id = inserter.insert(commit);
        parent = id;
        ObjectId earlier = byPrefix.putIfAbsent(id.name().substring(0, 4), id);
        if (earlier != null) {
          inserter.flush();
          forceRef(Constants.R_HEADS + branch, id);
          return new ObjectId[] {earlier, id};
        }
      }
    }
  }

  @Override
  public void close() {
    git.close();
  }
}
