package dev.kiln.activities.pipeline;

import dev.kiln.activities.files.WorkspaceFiles;
import dev.kiln.workflows.plan.PipelinePlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Decides what a checked-out workspace builds: its {@code kiln.yaml} when there is one, else the
 * plan {@link BuildSystemDetector} derives from the build system; plus the project version.
 */
public final class PipelinePlanner {

  /** A pipeline file larger than this is a mistake (or an attack), not a pipeline. */
  static final int MAX_SPEC_BYTES = 1024 * 1024;

  private final KilnYamlParser parser;
  private final BuildSystemDetector detector;
  private final VersionReader versions;

  public PipelinePlanner() {
    this(new KilnYamlParser(), new BuildSystemDetector(), new VersionReader());
  }

  public PipelinePlanner(
      KilnYamlParser parser, BuildSystemDetector detector, VersionReader versions) {
    this.parser = parser;
    this.detector = detector;
    this.versions = versions;
  }

  /**
   * @throws InvalidSpecException kiln.yaml exists but is not a valid pipeline (not retryable)
   * @throws NoPlanException no kiln.yaml and no known build system (not retryable)
   * @throws IOException the workspace could not be read (a host problem; retryable)
   */
  public PlannedBuild plan(Path workspace) throws PlanException, IOException {
    return new PlannedBuild(pipeline(workspace), versions.read(workspace));
  }

  private PipelinePlan pipeline(Path workspace) throws PlanException, IOException {
    Path spec = workspace.resolve(KilnYamlParser.FILE_NAME);
    if (Files.exists(spec, LinkOption.NOFOLLOW_LINKS)) {
      return parser.parse(readSpec(workspace, spec));
    }
    // A kiln.yml would otherwise be ignored in silence and the build auto-detected instead.
    if (Files.exists(workspace.resolve("kiln.yml"), LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidSpecException(
          "kiln.yml", 0, "", "Kiln reads kiln.yaml; rename kiln.yml to kiln.yaml");
    }
    return detector.detect(workspace);
  }

  private static String readSpec(Path workspace, Path spec)
      throws IOException, InvalidSpecException {
    String name = KilnYamlParser.FILE_NAME;
    // A link out of the workspace could have the worker read its own files into the error.
    if (!WorkspaceFiles.isRegularInside(workspace, spec)) {
      throw new InvalidSpecException(
          name, 0, "", "is not a regular file in the repository (a link out of it is refused)");
    }
    byte[] bytes;
    try (InputStream in = WorkspaceFiles.openInside(workspace, spec)) {
      bytes = in.readNBytes(MAX_SPEC_BYTES + 1);
    }
    if (bytes.length > MAX_SPEC_BYTES) {
      throw new InvalidSpecException(name, 0, "", "is larger than 1 MiB");
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidSpecException(name, 0, "", "is not valid UTF-8");
    }
  }
}
