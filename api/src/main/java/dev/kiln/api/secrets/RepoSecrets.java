package dev.kiln.api.secrets;

import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.Result;
import dev.kiln.workflows.internal.InternalBodies.SecretsAnswer;
import dev.kiln.workflows.secrets.SecretNames;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Build secrets of registered repositories: set, listed by name, removed through the public API,
 * and read back only for a run's step over {@code /internal}.
 */
@Service
public class RepoSecrets {

  /** A value's size limit: room for a PEM private key or a kubeconfig, not for a file's worth. */
  public static final int MAX_VALUE_BYTES = 16 * 1024;

  /**
   * Why a merge request's run gets none. Kiln does not record whether a merge request's head lives
   * in a fork, so it treats every merge request build as one: a fork's author must not be able to
   * print a repository's secrets by opening a merge request.
   */
  static final String MERGE_REQUEST_RULE =
      "builds of merge requests get no secrets (a merge request may come from a fork)";

  static final String ENDED_RULE = "the run has ended: only a building run's steps get secrets";

  private static final Logger log = LoggerFactory.getLogger(RepoSecrets.class);

  private final SecretStore store;
  private final RepoStore repos;
  private final Optional<SecretCipher> cipher;

  RepoSecrets(SecretStore store, RepoStore repos, SecretsProperties properties) {
    this.store = store;
    this.repos = repos;
    this.cipher = SecretKeys.load(properties);
    if (cipher.isEmpty()) {
      log.info("no kiln.secrets.key: build secrets are off");
    }
  }

  /**
   * @return whether the secret is new
   */
  boolean put(long repoId, String name, byte[] body, String by) {
    checkName(name);
    String value = value(body);
    SecretCipher key = requireCipher();
    requireRepo(repoId);
    boolean created = store.put(repoId, name, key.encrypt(repoId, name, value), by);
    log.info("secret {} of repository {} {} by {}", name, repoId, created ? "set" : "replaced", by);
    return created;
  }

  /**
   * Not checked against today's naming rule: a secret stored before a name was refused (an {@code
   * LD_} name, see {@code StepVariableNames}) must stay removable.
   */
  void delete(long repoId, String name, String by) {
    requireRepo(repoId);
    if (!store.delete(repoId, name)) {
      throw ApiException.notFound("repository " + repoId + " has no secret " + name);
    }
    log.info("secret {} of repository {} removed by {}", name, repoId, by);
  }

  List<SecretStore.Listed> list(long repoId) {
    requireRepo(repoId);
    return store.list(repoId);
  }

  /** What a step of {@code run} that names {@code names} gets. */
  SecretsAnswer forRun(RunRecord run, List<String> names) {
    names.forEach(RepoSecrets::checkName);
    // The worker token is every build host's: a finished run is no reason to hand values out.
    if (run.result() != Result.BUILDING) {
      return new SecretsAnswer(Map.of(), List.of(), ENDED_RULE);
    }
    if (run.mr() != null) {
      return new SecretsAnswer(Map.of(), List.of(), MERGE_REQUEST_RULE);
    }
    Optional<RegisteredRepo> repo = repos.findByUrl(List.of(run.repo()));
    if (repo.isEmpty() || cipher.isEmpty()) {
      return new SecretsAnswer(Map.of(), names, null);
    }
    long repoId = repo.get().id();
    Map<String, SecretCipher.Sealed> sealed = store.sealed(repoId, names);
    Map<String, String> values = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      SecretCipher.Sealed one = sealed.get(name);
      if (one == null) {
        missing.add(name);
      } else {
        values.put(name, decrypt(repoId, name, one));
      }
    }
    log.info("run {} gets secrets {} of repository {}", run.id(), values.keySet(), repoId);
    return new SecretsAnswer(values, missing, null);
  }

  private String decrypt(long repoId, String name, SecretCipher.Sealed sealed) {
    try {
      return cipher.orElseThrow().decrypt(repoId, name, sealed);
    } catch (UndecryptableSecretException e) {
      throw ApiException.conflict(e.getMessage());
    }
  }

  private SecretCipher requireCipher() {
    return cipher.orElseThrow(
        () ->
            ApiException.conflict(
                "build secrets are off on this api: it has no kiln.secrets.key (the base64 of 32"
                    + " random bytes) to encrypt them with"));
  }

  private void requireRepo(long repoId) {
    if (repos.find(repoId).isEmpty()) {
      throw ApiException.notFound("repository " + repoId + " is not registered");
    }
  }

  private static void checkName(String name) {
    SecretNames.problem(name)
        .ifPresent(
            problem -> {
              throw ApiException.badRequest("secret name \"" + name + "\" " + problem);
            });
  }

  /** The body as text: what an environment variable can hold. */
  private static String value(byte[] body) {
    if (body == null || body.length == 0) {
      throw ApiException.badRequest("the body must be the secret's value; it is empty");
    }
    if (body.length > MAX_VALUE_BYTES) {
      throw ApiException.payloadTooLarge(
          "a secret's value is at most " + MAX_VALUE_BYTES + " bytes; this one is " + body.length);
    }
    String value;
    try {
      value =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("the secret's value must be UTF-8 text");
    }
    if (value.indexOf('\0') >= 0) {
      throw ApiException.badRequest(
          "the secret's value must not contain a NUL byte: an environment variable cannot");
    }
    return value;
  }
}
