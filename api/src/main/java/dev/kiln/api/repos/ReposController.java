package dev.kiln.api.repos;

import dev.kiln.api.auth.Access;
import dev.kiln.api.auth.RequiresScope;
import dev.kiln.api.auth.Scope;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.ApiPaths;
import dev.kiln.workflows.Durations;
import dev.kiln.workflows.watch.WatchSchedule;
import java.net.URI;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /repos}: registering repositories for forge webhooks and their rebuild defaults. */
@RestController
@RequiresScope(Scope.ADMIN)
class ReposController {

  private final RepoStore store;
  private final RepoRequests requests;
  private final Access access;
  private final ApplicationEventPublisher events;

  ReposController(
      RepoStore store, RepoRequests requests, Access access, ApplicationEventPublisher events) {
    this.store = store;
    this.requests = requests;
    this.access = access;
    this.events = events;
  }

  /** 201 with the webhook secret, which is shown again only when rotated. */
  @PostMapping(path = ApiPaths.REPOS, consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<RepoBodies.View> create(@RequestBody RepoBodies.Create body) {
    RepoStore.Settings settings = requests.create(body);
    RegisteredRepo repo;
    try {
      repo = store.insert(settings, WebhookSecrets.generate(), access.caller().name());
    } catch (DuplicateKeyException e) {
      throw alreadyRegistered(settings.url());
    }
    events.publishEvent(new RepoChanged(repo.id()));
    return ResponseEntity.created(URI.create(ApiPaths.repo(repo.id()))).body(view(repo, true));
  }

  @GetMapping(ApiPaths.REPOS)
  RepoBodies.RepoList list() {
    return new RepoBodies.RepoList(store.list().stream().map(r -> view(r, false)).toList());
  }

  @GetMapping(ApiPaths.REPO)
  RepoBodies.View get(@PathVariable String id) {
    return view(find(id(id)), false);
  }

  @PatchMapping(path = ApiPaths.REPO, consumes = MediaType.APPLICATION_JSON_VALUE)
  RepoBodies.View patch(@PathVariable String id, @RequestBody RepoBodies.Patch body) {
    long repoId = id(id);
    RepoStore.Settings settings = requests.patch(find(repoId), body);
    RegisteredRepo updated;
    try {
      updated = store.update(repoId, settings).orElseThrow(() -> notFound(repoId));
    } catch (DuplicateKeyException e) {
      throw alreadyRegistered(settings.url());
    }
    events.publishEvent(new RepoChanged(repoId));
    if (Boolean.TRUE.equals(body.rotateWebhookSecret())) {
      updated =
          store.rotateSecret(repoId, WebhookSecrets.generate()).orElseThrow(() -> notFound(repoId));
      return view(updated, true);
    }
    return view(updated, false);
  }

  /** 204; its runs stay. Forge deliveries for it are 404 from now on. */
  @DeleteMapping(ApiPaths.REPO)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable String id) {
    long repoId = id(id);
    if (!store.delete(repoId)) {
      throw notFound(repoId);
    }
    events.publishEvent(new RepoChanged(repoId));
  }

  private RegisteredRepo find(long id) {
    return store.find(id).orElseThrow(() -> notFound(id));
  }

  private static ApiException notFound(long id) {
    return ApiException.notFound("repository " + id + " is not registered");
  }

  private static ApiException alreadyRegistered(String url) {
    return ApiException.conflict("url: " + url + " is registered already");
  }

  private static long id(String raw) {
    if (raw != null && raw.matches("[0-9]{1,18}")) {
      return Long.parseLong(raw);
    }
    throw ApiException.badRequest("repository id \"" + raw + "\" is not a positive integer");
  }

  static RepoBodies.View view(RegisteredRepo repo, boolean withSecret) {
    return new RepoBodies.View(
        repo.id(),
        repo.url(),
        repo.branches(),
        repo.archs(),
        repo.defaultPriority().wireName(),
        repo.pollInterval() == null ? null : Durations.format(repo.pollInterval()),
        repo.pollInterval() == null ? null : WatchSchedule.id(repo.id()),
        repo.notifyTargets().stream().map(NotifyTarget::withoutSecrets).toList(),
        repo.supersede(),
        repo.fairnessWeight(),
        withSecret ? repo.webhookSecret() : null,
        new RepoBodies.Hooks(ApiPaths.HOOK_GITHUB, ApiPaths.HOOK_GITLAB, ApiPaths.HOOK_GITEA),
        repo.createdAt(),
        repo.createdBy(),
        repo.updatedAt(),
        ApiPaths.repo(repo.id()));
  }
}
