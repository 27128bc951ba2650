package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.activities.fetch.ResolvedRef.Kind;
import dev.kiln.workflows.FailureTypes;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RefResolverTest {

  @TempDir Path tmp;

  private final RefResolver resolver = new RefResolver();
  private OriginRepo origin;
  private RevCommit first;
  private RevCommit onMain;
  private RevCommit onFeature;

  @BeforeEach
  void setUp() throws Exception {
    origin = OriginRepo.create(tmp.resolve("origin"));
    first = origin.commit("README.md", "one\n");
    origin.lightweightTag("v0.9", first);
    origin.annotatedTag("v1.0", first);
    onMain = origin.commit("README.md", "two\n");
    origin.branch("feature/x");
    origin.checkout("feature/x");
    onFeature = origin.commit("feature.txt", "x\n");
    origin.checkout("main");
  }

  @AfterEach
  void tearDown() {
    origin.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "HEAD"})
  void noRefMeansTheDefaultBranch(String ref) throws Exception {
    assertThat(resolver.resolve(origin.repository(), ref))
        .isEqualTo(new ResolvedRef(onMain.name(), "main", Kind.DEFAULT_BRANCH));
    assertThat(resolver.resolve(origin.repository(), null))
        .isEqualTo(new ResolvedRef(onMain.name(), "main", Kind.DEFAULT_BRANCH));
  }

  @Test
  void resolvesBranchNamesWithAndWithoutRefsHeads() throws Exception {
    assertThat(resolver.resolve(origin.repository(), "main"))
        .isEqualTo(new ResolvedRef(onMain.name(), "main", Kind.BRANCH));
    assertThat(resolver.resolve(origin.repository(), "feature/x"))
        .isEqualTo(new ResolvedRef(onFeature.name(), "feature/x", Kind.BRANCH));
    assertThat(resolver.resolve(origin.repository(), "refs/heads/feature/x"))
        .isEqualTo(new ResolvedRef(onFeature.name(), "feature/x", Kind.BRANCH));
  }

  @Test
  void resolvesLightweightAndAnnotatedTagsToTheirCommitWithoutABranch() throws Exception {
    assertThat(resolver.resolve(origin.repository(), "v0.9"))
        .isEqualTo(new ResolvedRef(first.name(), null, Kind.TAG));
    assertThat(resolver.resolve(origin.repository(), "v1.0"))
        .isEqualTo(new ResolvedRef(first.name(), null, Kind.TAG));
    assertThat(resolver.resolve(origin.repository(), "refs/tags/v1.0"))
        .isEqualTo(new ResolvedRef(first.name(), null, Kind.TAG));
  }

  @Test
  void aBranchWinsOverATagOfTheSameName() throws Exception {
    origin.lightweightTag("main", first);

    assertThat(resolver.resolve(origin.repository(), "main").sha()).isEqualTo(onMain.name());
    assertThat(resolver.resolve(origin.repository(), "refs/tags/main").sha())
        .isEqualTo(first.name());
  }

  @Test
  void resolvesFullAndAbbreviatedShasInAnyCase() throws Exception {
    ResolvedRef expected = new ResolvedRef(onFeature.name(), null, Kind.SHA);

    assertThat(resolver.resolve(origin.repository(), onFeature.name())).isEqualTo(expected);
    assertThat(resolver.resolve(origin.repository(), onFeature.name().substring(0, 7)))
        .isEqualTo(expected);
    assertThat(
            resolver.resolve(origin.repository(), onFeature.name().substring(0, 10).toUpperCase()))
        .isEqualTo(expected);
  }

  @Test
  void theShaOfAnAnnotatedTagObjectResolvesToItsCommit() throws Exception {
    ObjectId tagObject = origin.repository().exactRef("refs/tags/v1.0").getObjectId();

    assertThat(resolver.resolve(origin.repository(), tagObject.name()).sha())
        .isEqualTo(first.name());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "nope",
        "feature/y",
        "refs/heads/nope",
        "refs/tags/v9",
        "v2.0",
        "abc",
        "0000000000000000000000000000000000000000",
        "deadbeef",
        "../../config",
        "main..feature/x",
        "refs/heads/../../HEAD",
      })
  void unknownRefsFailWithExactlyRefNotFound(String ref) {
    assertThatThrownBy(() -> resolver.resolve(origin.repository(), ref))
        .isInstanceOfSatisfying(
            RefNotFoundException.class,
            e -> {
              assertThat(e).hasMessage("ref not found: " + ref);
              assertThat(e.ref()).isEqualTo(ref);
              assertThat(e.retryable()).isFalse();
              assertThat(e.failureType()).isEqualTo(FailureTypes.REF_NOT_FOUND);
            });
  }

  @Test
  void anAbbreviatedShaMatchingTwoCommitsIsAmbiguous() throws Exception {
    ObjectId[] twins = origin.commitsWithSharedPrefix("fillers");
    String prefix = twins[0].name().substring(0, 4);

    assertThatThrownBy(() -> resolver.resolve(origin.repository(), prefix))
        .isInstanceOfSatisfying(
            AmbiguousRefException.class,
            e -> {
              assertThat(e.getMessage())
                  .startsWith("ambiguous ref: " + prefix + " matches 2 commits (")
                  .contains(twins[0].name().substring(0, 10), twins[1].name().substring(0, 10))
                  .endsWith("); give more digits");
              assertThat(e.retryable()).isFalse();
              assertThat(e.failureType()).isEqualTo(FailureTypes.REF_NOT_FOUND);
            });
    assertThat(resolver.resolve(origin.repository(), twins[1].name().substring(0, 12)).sha())
        .isEqualTo(twins[1].name());
  }

  @Test
  void aTagOnATreeIsNotACommit() throws Exception {
    origin.forceRef("refs/tags/tree-tag", first.getTree());

    assertThatThrownBy(() -> resolver.resolve(origin.repository(), "tree-tag"))
        .isInstanceOf(RefNotFoundException.class)
        .hasMessage("ref not found: tree-tag");
  }

  @Test
  void anEmptyRepositoryHasNoDefaultBranch() throws Exception {
    try (OriginRepo empty = OriginRepo.create(tmp.resolve("empty"))) {
      assertThatThrownBy(() -> resolver.resolve(empty.repository(), null))
          .isInstanceOf(RefNotFoundException.class)
          .hasMessage("ref not found: " + Constants.HEAD);
    }
  }

  @Test
  void describeNamesWhatTheRefWasReadAs() {
    String sha = "9f1c2ab" + "0".repeat(33);

    assertThat(new ResolvedRef(sha, "main", Kind.DEFAULT_BRANCH).describe(null))
        .isEqualTo("Resolved default branch main → 9f1c2ab");
    assertThat(new ResolvedRef(sha, "main", Kind.BRANCH).describe("main"))
        .isEqualTo("Resolved branch main → 9f1c2ab");
    assertThat(new ResolvedRef(sha, null, Kind.TAG).describe("v1.0"))
        .isEqualTo("Resolved tag v1.0 → 9f1c2ab");
    assertThat(new ResolvedRef(sha, null, Kind.SHA).describe("9f1c"))
        .isEqualTo("Resolved 9f1c → 9f1c2ab");
  }
}
