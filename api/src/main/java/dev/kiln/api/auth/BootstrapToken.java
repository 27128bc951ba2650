package dev.kiln.api.auth;

import dev.kiln.api.config.KilnProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * A new installation has no token, and only a token can make tokens: at its first start the api
 * makes one admin token, writes it to {@code kiln.auth.bootstrap-token-file} (readable by its owner
 * only) and prints it once. It never expires; make your own admin token with it and delete it. Once
 * made, it is never made again, even after it is deleted (replicas starting together make one
 * between them).
 */
@Component
class BootstrapToken implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(BootstrapToken.class);

  private final ApiTokens tokens;
  private final AuthProperties auth;
  private final Path file;

  BootstrapToken(ApiTokens tokens, AuthProperties auth, KilnProperties kiln) {
    this.tokens = tokens;
    this.auth = auth;
    this.file =
        auth.bootstrapTokenFile() != null
            ? auth.bootstrapTokenFile()
            : kiln.home().resolve("admin.token");
  }

  @Override
  public void run(ApplicationArguments args) {
    if (!auth.bootstrapToken()) {
      return;
    }
    Optional<ApiTokens.Created> created = tokens.createBootstrap();
    if (created.isEmpty()) {
      return;
    }
    String secret = created.get().secret();
    try {
      writeOwnerOnly(file, secret);
      log.warn(
          "This installation's first admin token (shown only now; also in {}, readable by you"
              + " only): {}  Make your own tokens with it (POST /tokens), then delete it.",
          file,
          secret);
    } catch (IOException e) {
      log.warn(
          "This installation's first admin token (shown only now; {} could not be written: {}):"
              + " {}  Make your own tokens with it (POST /tokens), then delete it.",
          file,
          e.toString(),
          secret);
    }
  }

  /** Created with its mode, then moved into place: never readable by others, not for a moment. */
  static void writeOwnerOnly(Path file, String content) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
