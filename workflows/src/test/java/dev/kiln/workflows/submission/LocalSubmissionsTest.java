package dev.kiln.workflows.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.kiln.workflows.repo.AllowedHosts;
import dev.kiln.workflows.repo.HostResolver;
import dev.kiln.workflows.repo.RepositoryPolicy;
import dev.kiln.workflows.repo.RepositoryRefusedException;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalSubmissionsTest {

  @Test
  void aSubmissionsRepoIsTheDirectoryNameUnderTheLocalScheme() {
    assertThat(LocalSubmissions.repo("my-app")).isEqualTo("local:my-app");
    assertThat(LocalSubmissions.repo("my app/../x")).isEqualTo("local:my-app-..-x");
    assertThat(LocalSubmissions.repo("..")).isEqualTo("local:workspace");
    assertThat(LocalSubmissions.repo(" ")).isEqualTo("local:workspace");
    assertThat(LocalSubmissions.repo("a".repeat(300))).hasSize(6 + 100);
  }

  @Test
  void onlyALocalRepoIsASubmission() {
    assertThat(LocalSubmissions.isSubmission("local:app")).isTrue();
    assertThat(LocalSubmissions.source("local:app")).isEqualTo("local");
    assertThat(LocalSubmissions.isSubmission("file:///tmp/local:app")).isFalse();
    assertThat(LocalSubmissions.source("https://git.example.com/app.git")).isEqualTo("git");
    assertThat(LocalSubmissions.isSubmission(null)).isFalse();
  }

  @Test
  void theRepositoryPolicyRefusesASubmissionsRepoSoNoRemoteCanPassForOne() {
    RepositoryPolicy permissive =
        new RepositoryPolicy(true, AllowedHosts.of(List.of()), HostResolver.NONE);

    assertThat(catchThrowable(() -> permissive.check(LocalSubmissions.repo("app"))))
        .isInstanceOf(RepositoryRefusedException.class);
  }

  @Test
  void aSubmissionsLaneIsNoBranchLane() {
    assertThat(LocalSubmissions.lane("local:app", "x86_64")).isEqualTo("local:app#local@x86_64");
  }

  @Test
  void aSubmissionsRefMustBeAFullLowerCaseSha() {
    assertThat(LocalSubmissions.isFullSha("0123456789abcdef0123456789abcdef01234567")).isTrue();
    assertThat(LocalSubmissions.isFullSha("0123456789ABCDEF0123456789abcdef01234567")).isFalse();
    assertThat(LocalSubmissions.isFullSha("0123456")).isFalse();
    assertThat(LocalSubmissions.isFullSha(null)).isFalse();
  }
}
