package dev.kiln.activities.process.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BwrapCommandTest {

  private static final Path BWRAP = Path.of("/usr/bin/bwrap");
  private static final Path WORKSPACE = Path.of("/srv/kiln/work/runs/42-1");

  private static SandboxLayout layout(boolean network, List<Path> hidden) {
    return new SandboxLayout(
        WORKSPACE,
        Path.of("/home/kiln"),
        Path.of("/srv/kiln/work/sandbox/42-1/home"),
        Path.of("/srv/kiln/work/sandbox/42-1/tmp-7"),
        List.of(Path.of("/tmp"), Path.of("/var/tmp")),
        hidden,
        List.of(Path.of("/srv/kiln/worker.token"), Path.of("/etc/shadow")),
        List.of(Path.of("/srv/kiln/work/mirrors/app-1f3a.git")),
        Map.of(".m2/repository", Path.of("/srv/kiln/caches/app-1f3a/maven")),
        network);
  }

  @Test
  void aStepGetsItsOwnNamespacesNoCapabilitiesAndAReadOnlyHost() {
    List<String> args = BwrapCommand.of(BWRAP, layout(true, List.of(Path.of("/srv/kiln"))));

    assertThat(args.get(0)).isEqualTo("/usr/bin/bwrap");
    assertThat(args)
        .containsSubsequence(
            "--unshare-user",
            "--disable-userns",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--cap-drop",
            "ALL",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc")
        .doesNotContain("--unshare-net", "--die-with-parent");
    assertThat(args.subList(args.size() - 3, args.size()))
        .containsExactly("--chdir", WORKSPACE.toString(), "--");
  }

  @Test
  void withoutNetworkTheStepGetsAnEmptyNetworkNamespace() {
    assertThat(BwrapCommand.of(BWRAP, layout(false, List.of()))).contains("--unshare-net");
  }

  @Test
  void mountsComeInTheOrderThatKeepsEachVisible() {
    List<String> args =
        BwrapCommand.of(BWRAP, layout(true, List.of(Path.of("/srv/kiln"), Path.of("/run"))));
    String line = String.join(" ", args);

    assertThat(line)
        .containsSubsequence(
            "--bind /srv/kiln/work/sandbox/42-1/tmp-7 /tmp",
            "--bind /srv/kiln/work/sandbox/42-1/tmp-7 /var/tmp",
            "--tmpfs /run",
            "--tmpfs /srv/kiln",
            "--bind /srv/kiln/work/sandbox/42-1/home /home/kiln",
            "--ro-bind /srv/kiln/work/mirrors/app-1f3a.git /srv/kiln/work/mirrors/app-1f3a.git",
            "--bind /srv/kiln/caches/app-1f3a/maven /home/kiln/.m2/repository",
            "--bind /srv/kiln/work/runs/42-1 /srv/kiln/work/runs/42-1",
            "--remount-ro /run",
            "--remount-ro /srv/kiln");
  }

  @Test
  void aHiddenFileInsideAHiddenDirectoryNeedsNoMountOfItsOwn() {
    String line =
        String.join(" ", BwrapCommand.of(BWRAP, layout(true, List.of(Path.of("/srv/kiln")))));

    assertThat(line).doesNotContain("/dev/null /srv/kiln/worker.token");
    assertThat(line).contains("--ro-bind /dev/null /etc/shadow");
  }

  @Test
  void onlyTheOutermostHiddenDirectoriesOutsideTheHomeAndTmpAreMounted() {
    SandboxLayout layout =
        layout(
            true,
            List.of(
                Path.of("/srv/kiln/work"),
                Path.of("/srv/kiln"),
                Path.of("/home/kiln/.ssh"),
                Path.of("/tmp/kiln-home"),
                Path.of("/"),
                Path.of("/home")));

    assertThat(BwrapCommand.outermost(layout.hiddenDirectories(), layout))
        .containsExactly(Path.of("/home"), Path.of("/srv/kiln"));
  }
}
