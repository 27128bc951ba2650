package dev.kiln.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.support.TestProperties;
import dev.kiln.api.web.ApiException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class FilesystemArtifactStoreTest {

  @TempDir Path home;

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private FilesystemArtifactStore store(DataSize maxSize) {
    KilnProperties p = TestProperties.kiln(home);
    return new FilesystemArtifactStore(
        new KilnProperties(
            p.home(),
            p.internal(),
            p.temporal(),
            p.repos(),
            p.archs(),
            new KilnProperties.Artifacts(maxSize, 1000, DataSize.ofGigabytes(10)),
            p.http(),
            p.logs(),
            p.dispatch(),
            p.publicUrl()));
  }

  @Test
  void storesUnderShaArchAndPathAndReplacesOnReupload() throws Exception {
    FilesystemArtifactStore store = store(DataSize.ofMegabytes(1));
    byte[] v1 = "one".getBytes(StandardCharsets.UTF_8);
    byte[] v2 = "two!".getBytes(StandardCharsets.UTF_8);

    store.store("abc1234/x86_64/target/app.jar", new ByteArrayInputStream(v1), sha256(v1));
    ArtifactStore.Stored stored =
        store.store("abc1234/x86_64/target/app.jar", new ByteArrayInputStream(v2), sha256(v2));

    Path file = home.resolve("artifacts/abc1234/x86_64/target/app.jar");
    assertThat(file).hasBinaryContent(v2);
    assertThat(stored.size()).isEqualTo(4);
    assertThat(store.file("abc1234/x86_64/target/app.jar")).contains(file.toAbsolutePath());
  }

  @Test
  void refusesAShaMismatchAndKeepsThePreviousFile() throws Exception {
    FilesystemArtifactStore store = store(DataSize.ofMegabytes(1));
    byte[] good = "good".getBytes(StandardCharsets.UTF_8);
    store.store("abc1234/x86_64/a.bin", new ByteArrayInputStream(good), sha256(good));

    assertThatThrownBy(
            () ->
                store.store(
                    "abc1234/x86_64/a.bin",
                    new ByteArrayInputStream("evil".getBytes(StandardCharsets.UTF_8)),
                    sha256(good)))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("sha256 mismatch");

    assertThat(home.resolve("artifacts/abc1234/x86_64/a.bin")).hasBinaryContent(good);
    try (Stream<Path> files = Files.list(home.resolve("artifacts/abc1234/x86_64"))) {
      assertThat(files).as("no temporary file left behind").hasSize(1);
    }
  }

  @Test
  void refusesAnUploadOverTheMaximumSize() throws Exception {
    FilesystemArtifactStore store = store(DataSize.ofBytes(10));
    byte[] big = new byte[11];

    assertThatThrownBy(
            () -> store.store("abc1234/x86_64/big.bin", new ByteArrayInputStream(big), sha256(big)))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.getStatusCode().value()).isEqualTo(413));
    assertThat(home.resolve("artifacts/abc1234/x86_64/big.bin")).doesNotExist();
  }

  @Test
  void refusesAKeyThatEscapesTheStore() {
    FilesystemArtifactStore store = store(DataSize.ofMegabytes(1));
    assertThatThrownBy(
            () -> store.store("../../etc/passwd", new ByteArrayInputStream(new byte[0]), "x"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusesToFollowASymlinkOutOfTheStore(@TempDir Path outside) throws Exception {
    FilesystemArtifactStore store = store(DataSize.ofMegabytes(1));
    Files.createDirectories(home.resolve("artifacts/abc1234"));
    Files.createSymbolicLink(home.resolve("artifacts/abc1234/x86_64"), outside);
    byte[] data = "x".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(
            () -> store.store("abc1234/x86_64/a.bin", new ByteArrayInputStream(data), sha256(data)))
        .isInstanceOf(IllegalStateException.class);
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
  }
}
