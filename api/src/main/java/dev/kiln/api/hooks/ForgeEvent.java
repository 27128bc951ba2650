package dev.kiln.api.hooks;

import java.util.List;

/** What a forge's delivery asks of Kiln, whatever forge sent it. */
sealed interface ForgeEvent {

  /** The repository the delivery is about, named every way the payload names it. */
  List<String> repoUrls();

  /** A branch moved: build it at {@code sha}. */
  record Push(List<String> repoUrls, String branch, String sha) implements ForgeEvent {}

  /** A branch was deleted: cancel what still runs for it. */
  record BranchDeleted(List<String> repoUrls, String branch) implements ForgeEvent {}

  /** A merge request was opened, reopened or got new commits: build its head. */
  record MergeRequestHead(List<String> repoUrls, String mr, String sha, String branch)
      implements ForgeEvent {}

  /** A merge request was closed or merged: cancel what still runs for it. */
  record MergeRequestClosed(List<String> repoUrls, String mr) implements ForgeEvent {}

  /** Something Kiln does not act on; {@code note} says what and why. */
  record Ignored(List<String> repoUrls, String note) implements ForgeEvent {}
}
