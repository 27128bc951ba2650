package dev.kiln.activities.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MirrorNamesTest {

  @Test
  void mirrorNameIsReadableFilesystemSafeAndStable() {
    String name = MirrorNames.of("https://GitHub.com/Acme/My App%20x.git");

    assertThat(name).matches("github\\.com-acme-my-app-20x-[0-9a-f]{12}");
    assertThat(MirrorNames.of("https://GitHub.com/Acme/My App%20x.git")).isEqualTo(name);
  }

  @Test
  void mirrorNameTellsRepositoriesApart() {
    String plain = MirrorNames.of("https://github.com/acme/app.git");

    assertThat(MirrorNames.of("https://github.com/acme/app2.git")).isNotEqualTo(plain);
    assertThat(MirrorNames.of("https://gitlab.com/acme/app.git"))
        .startsWith("gitlab.com-acme-app-")
        .isNotEqualTo(plain);
  }

  @Test
  void mirrorNameCoversFileAndOverlongUrls() {
    assertThat(MirrorNames.of("file:///srv/git/app.git")).matches("srv-git-app-[0-9a-f]{12}");
    String longName = MirrorNames.of("https://host/" + "a/".repeat(100) + "x.git");
    assertThat(longName).hasSizeLessThanOrEqualTo(60 + 13).matches("[a-z0-9._-]+");
    assertThat(MirrorNames.of("https://host/../..")).doesNotContain("..");
  }
}
