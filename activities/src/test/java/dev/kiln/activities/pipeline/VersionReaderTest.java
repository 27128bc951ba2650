package dev.kiln.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionReaderTest {

  @TempDir Path ws;

  private final VersionReader reader = new VersionReader();

  @Test
  void readsTheProjectVersionFromPomXml() throws Exception {
    write(
        "pom.xml",
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <parent><groupId>g</groupId><artifactId>p</artifactId><version>9.9.9</version></parent>
          <artifactId>app</artifactId>
          <version> 1.4.0 </version>
          <dependencies><dependency><version>0.0.1</version></dependency></dependencies>
        </project>
        """);

    assertThat(reader.read(ws)).isEqualTo("1.4.0");
  }

  @Test
  void fallsBackToTheParentVersion() throws Exception {
    write(
        "pom.xml",
        "<project><parent><artifactId>p</artifactId><version>2.0.0-SNAPSHOT</version></parent>"
            + "<artifactId>app</artifactId></project>");

    assertThat(reader.read(ws)).isEqualTo("2.0.0-SNAPSHOT");
  }

  @Test
  void resolvesCiFriendlyPlaceholdersFromThePomsOwnProperties() throws Exception {
    write(
        "pom.xml",
        """
        <project>
          <version>${revision}${changelist}</version>
          <properties>
            <revision>3.1.0</revision>
            <changelist>-SNAPSHOT</changelist>
          </properties>
        </project>
        """);

    assertThat(reader.read(ws)).isEqualTo("3.1.0-SNAPSHOT");
  }

  @Test
  void givesNullForPlaceholdersItCannotResolve() throws Exception {
    write("pom.xml", "<project><version>${revision}</version></project>");
    assertThat(reader.read(ws)).isNull();

    write(
        "pom.xml",
        "<project><version>${revision}</version>"
            + "<properties><revision>${base}.1</revision></properties></project>");
    assertThat(reader.read(ws)).isNull();
  }

  @Test
  void aPomWithoutAnyVersionGivesNull() throws Exception {
    write("pom.xml", "<project><artifactId>app</artifactId></project>");

    assertThat(reader.read(ws)).isNull();
  }

  @Test
  void refusesExternalEntitiesInAnUntrustedPom() throws Exception {
    Path secret =
        Files.writeString(ws.getParent().resolve(ws.getFileName() + "-secret"), "hunter2");
    write(
        "pom.xml",
        "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY s SYSTEM \""
            + secret.toUri()
            + "\">]><project><version>&s;</version></project>");

    assertThat(reader.read(ws)).isNull();
  }

  @Test
  void malformedFilesGiveNullNotAnError() throws Exception {
    write("pom.xml", "<project><version>1.0");
    assertThat(reader.read(ws)).isNull();

    Files.delete(ws.resolve("pom.xml"));
    write("package.json", "{ nope");
    assertThat(reader.read(ws)).isNull();
  }

  @Test
  void readsTheCargoPackageVersion() throws Exception {
    write(
        "Cargo.toml",
        """
        # a comment with version = "0.0.0"
        [package]
        name = "tool"
        version = "0.7.2" # trailing comment

        [dependencies]
        serde = { version = "1.0" }
        """);

    assertThat(reader.read(ws)).isEqualTo("0.7.2");
  }

  @Test
  void anInheritedCargoVersionResolvesFromTheWorkspaceTableOrIsNull() throws Exception {
    write("Cargo.toml", "[package]\nname = \"member\"\nversion.workspace = true\n");
    assertThat(reader.read(ws)).isNull();

    write(
        "Cargo.toml",
        "[workspace.package]\nversion = \"5.0.0\"\n\n[package]\nname = \"m\"\n"
            + "version = { workspace = true }\n");
    assertThat(reader.read(ws)).isEqualTo("5.0.0");

    write("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n[workspace.package]\nversion = '6.1.0'\n");
    assertThat(reader.read(ws)).isEqualTo("6.1.0");
  }

  @Test
  void readsThePackageJsonVersion() throws Exception {
    write("package.json", "{\"name\": \"web\", \"version\": \"1.0.0-beta.2\"}");
    assertThat(reader.read(ws)).isEqualTo("1.0.0-beta.2");

    write("package.json", "{\"name\": \"web\", \"version\": 1}");
    assertThat(reader.read(ws)).isNull();
  }

  @Test
  void pomXmlComesBeforeCargoTomlAndPackageJson() throws Exception {
    write("package.json", "{\"version\": \"3.0.0\"}");
    write("Cargo.toml", "[package]\nversion = \"2.0.0\"\n");
    assertThat(reader.read(ws)).isEqualTo("2.0.0");

    write("pom.xml", "<project><version>1.0.0</version></project>");
    assertThat(reader.read(ws)).isEqualTo("1.0.0");
  }

  @Test
  void noBuildFilesMeansNoVersion() {
    assertThat(reader.read(ws)).isNull();
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(ws.resolve(name), content);
  }
}
