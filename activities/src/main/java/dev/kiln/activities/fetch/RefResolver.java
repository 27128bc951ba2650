package dev.kiln.activities.fetch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;

/**
 * Turns the ref a user asked for into a commit, reading a mirror (or any repository).
 *
 * <p>Accepted, tried in this order: nothing (or {@code HEAD}) for the default branch; {@code
 * refs/heads/x} and {@code refs/tags/x} spelled out; a branch name; a tag name (annotated tags are
 * peeled to their commit); a full or abbreviated sha of at least {@value #MIN_SHA_LENGTH} hex
 * digits. Branches come before tags, unlike {@code git rev-parse}, because a CI user who types
 * {@code release} means the branch they push to.
 */
public final class RefResolver {

  static final int MIN_SHA_LENGTH = 4;

  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{" + MIN_SHA_LENGTH + ",40}");

  /**
   * @param ref branch, tag, {@code refs/...} name, or sha; {@code null} or blank for the default
   *     branch
   * @throws RefNotFoundException nothing matches; the message is {@code ref not found: <ref>}
   * @throws AmbiguousRefException an abbreviated sha matches several commits
   * @throws IOException the repository cannot be read
   */
  public ResolvedRef resolve(Repository repo, String ref)
      throws RefNotFoundException, AmbiguousRefException, IOException {
    if (ref == null || ref.isBlank() || ref.equals(Constants.HEAD)) {
      return defaultBranch(repo);
    }
    if (ref.startsWith(Constants.R_HEADS)) {
      return branch(repo, ref.substring(Constants.R_HEADS.length()), ref);
    }
    if (ref.startsWith(Constants.R_TAGS)) {
      return tag(repo, ref.substring(Constants.R_TAGS.length()), ref);
    }
    ResolvedRef byName = byName(repo, ref);
    if (byName != null) {
      return byName;
    }
    if (HEX.matcher(ref).matches()) {
      return bySha(repo, ref);
    }
    throw new RefNotFoundException(ref);
  }

  private static ResolvedRef defaultBranch(Repository repo)
      throws IOException, RefNotFoundException {
    Ref head = repo.exactRef(Constants.HEAD);
    if (head == null || head.getObjectId() == null) {
      throw new RefNotFoundException(Constants.HEAD);
    }
    String branch =
        head.isSymbolic() ? Repository.shortenRefName(head.getTarget().getName()) : null;
    return new ResolvedRef(
        commitOf(repo, head.getObjectId(), Constants.HEAD),
        branch,
        ResolvedRef.Kind.DEFAULT_BRANCH);
  }

  private static ResolvedRef byName(Repository repo, String name)
      throws IOException, RefNotFoundException {
    // Checked first so that "../../config" and the like never reach the ref database as paths.
    if (!Repository.isValidRefName(Constants.R_HEADS + name)) {
      throw new RefNotFoundException(name);
    }
    if (repo.exactRef(Constants.R_HEADS + name) != null) {
      return branch(repo, name, name);
    }
    if (repo.exactRef(Constants.R_TAGS + name) != null) {
      return tag(repo, name, name);
    }
    return null;
  }

  private static ResolvedRef branch(Repository repo, String name, String asked)
      throws IOException, RefNotFoundException {
    Ref ref = exact(repo, Constants.R_HEADS + name, asked);
    return new ResolvedRef(commitOf(repo, ref.getObjectId(), asked), name, ResolvedRef.Kind.BRANCH);
  }

  private static ResolvedRef tag(Repository repo, String name, String asked)
      throws IOException, RefNotFoundException {
    Ref ref = exact(repo, Constants.R_TAGS + name, asked);
    return new ResolvedRef(commitOf(repo, ref.getObjectId(), asked), null, ResolvedRef.Kind.TAG);
  }

  private static Ref exact(Repository repo, String fullName, String asked)
      throws IOException, RefNotFoundException {
    Ref ref = Repository.isValidRefName(fullName) ? repo.exactRef(fullName) : null;
    if (ref == null || ref.getObjectId() == null) {
      throw new RefNotFoundException(asked);
    }
    return ref;
  }

  private static ResolvedRef bySha(Repository repo, String hex)
      throws IOException, RefNotFoundException, AmbiguousRefException {
    AbbreviatedObjectId prefix = AbbreviatedObjectId.fromString(hex.toLowerCase(Locale.ROOT));
    Set<String> commits = new LinkedHashSet<>();
    try (ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      Collection<ObjectId> candidates = reader.resolve(prefix);
      for (ObjectId candidate : candidates) {
        RevCommit commit = peelToCommit(walk, candidate);
        if (commit != null) {
          commits.add(commit.name());
        }
      }
    }
    if (commits.isEmpty()) {
      throw new RefNotFoundException(hex);
    }
    if (commits.size() > 1) {
      List<String> shown = new ArrayList<>();
      commits.forEach(sha -> shown.add(sha.substring(0, Math.max(hex.length() + 3, 10))));
      throw new AmbiguousRefException(hex, shown);
    }
    return new ResolvedRef(commits.iterator().next(), null, ResolvedRef.Kind.SHA);
  }

  private static String commitOf(Repository repo, AnyObjectId id, String asked)
      throws IOException, RefNotFoundException {
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit commit = peelToCommit(walk, id);
      if (commit == null) {
        throw new RefNotFoundException(asked);
      }
      return commit.name();
    }
  }

  /** The commit an object is or points to (through annotated tags); null for trees and blobs. */
  private static RevCommit peelToCommit(RevWalk walk, AnyObjectId id) throws IOException {
    try {
      RevObject peeled = walk.peel(walk.parseAny(id));
      return peeled instanceof RevCommit commit ? commit : null;
    } catch (MissingObjectException e) {
      return null;
    }
  }
}
