package dev.kiln.api.hooks;

import dev.kiln.api.cancel.CancelService;
import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.rebuild.Lanes;
import dev.kiln.api.rebuild.RebuildAccepted;
import dev.kiln.api.rebuild.RebuildService;
import dev.kiln.api.repos.RegisteredRepo;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.runs.NewRun;
import dev.kiln.api.runs.RunRecord;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.watch.HeadBuilds;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.LogSafe;
import dev.kiln.workflows.SupersedePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Carries out a forge's delivery: finds the registered repository, checks the delivery's proof
 * against its webhook secret, takes the delivery id once, then starts or cancels runs.
 */
@Service
class HookService {

  private static final Logger log = LoggerFactory.getLogger(HookService.class);

  static final int MAX_DELIVERY_ID = 200;

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final Pattern MR = Pattern.compile("[0-9]{1,18}");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final RepoStore repos;
  private final HookDeliveries deliveries;
  private final RebuildService rebuilds;
  private final RunRepository runs;
  private final CancelService cancels;
  private final HeadBuilds heads;
  private final List<String> archs;

  HookService(
      RepoStore repos,
      HookDeliveries deliveries,
      RebuildService rebuilds,
      RunRepository runs,
      CancelService cancels,
      HeadBuilds heads,
      KilnProperties properties) {
    this.repos = repos;
    this.deliveries = deliveries;
    this.rebuilds = rebuilds;
    this.runs = runs;
    this.cancels = cancels;
    this.heads = heads;
    this.archs = properties.archs();
  }

  /** One delivery as it came: its headers' values and its body, unparsed. */
  record Delivery(Forge forge, String event, String deliveryId, String proof, byte[] body) {}

  HookAnswer handle(Delivery delivery) {
    Forge forge = delivery.forge();
    String event = required(delivery.event(), forge.eventHeader);
    String deliveryId = deliveryId(delivery.deliveryId(), forge);
    JsonNode payload = parse(delivery.body());
    List<String> urls = forge.repoUrls(payload);
    if (urls.isEmpty()) {
      throw ApiException.badRequest("the payload names no repository");
    }
    RegisteredRepo repo =
        repos
            .findByUrl(urls)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "repository "
                            + LogSafe.escape(urls.get(0))
                            + " is not registered; register it with POST /repos"));
    if (!forge.verify(repo.webhookSecret(), delivery.body(), delivery.proof())) {
      // never the body: whoever sent it is not known to be the forge
      log.warn(
          "{} delivery {} for repository {}: {} does not match its webhook secret; refused",
          forge.wireName(),
          LogSafe.escape(deliveryId),
          repo.id(),
          forge.proofHeader);
      throw new ApiException(
          HttpStatus.UNAUTHORIZED,
          forge.proofHeader
              + " does not match the webhook secret of repository "
              + repo.id()
              + (delivery.proof() == null ? " (the header is missing)" : ""));
    }
    if (!deliveries.take(forge, deliveryId, repo.id(), event)) {
      log.info("{} delivery {}: seen before, nothing to do", forge.wireName(), deliveryId);
      return new HookAnswer(
          forge.wireName(),
          deliveryId,
          event,
          repo.id(),
          true,
          List.of(),
          List.of(),
          "delivery " + deliveryId + " was received before; nothing was started again");
    }
    try {
      HookAnswer answer = act(forge, deliveryId, event, repo, forge.event(event, payload));
      List<Long> ids = new ArrayList<>(answer.cancelled());
      answer.runs().forEach(r -> ids.add(r.runId()));
      deliveries.recordOutcome(forge, deliveryId, ids, answer.note());
      log.info(
          "{} delivery {} ({}) for repository {}: started {}, cancelled {}{}",
          forge.wireName(),
          deliveryId,
          LogSafe.escape(event),
          repo.id(),
          answer.runs().stream().map(HookAnswer.StartedRun::runId).toList(),
          answer.cancelled(),
          answer.note() == null ? "" : ": " + answer.note());
      return answer;
    } catch (RuntimeException e) {
      // Let the forge's redelivery try again. A run this delivery did start builds once more
      // then, in the same lane, which supersedes or coalesces it: nothing is built twice for long.
      deliveries.release(forge, deliveryId);
      throw e;
    }
  }

  private HookAnswer act(
      Forge forge, String deliveryId, String event, RegisteredRepo repo, ForgeEvent what) {
    Function<String, HookAnswer> noted =
        note ->
            new HookAnswer(
                forge.wireName(), deliveryId, event, repo.id(), false, List.of(), List.of(), note);
    String by = "hook:" + forge.wireName();
    if (what instanceof ForgeEvent.Push push) {
      if (!repo.builds(push.branch())) {
        return noted.apply(
            "branch "
                + LogSafe.escape(push.branch())
                + " is not among the repository's branches "
                + repo.branches());
      }
      // once per commit of the branch, whether this push or the watcher's poll sees it first
      HeadBuilds.Outcome outcome = heads.buildPush(repo, push.branch(), sha(push.sha()), by);
      if (outcome.started().isEmpty()) {
        return noted.apply(outcome.note());
      }
      List<HookAnswer.StartedRun> started =
          outcome.started().stream()
              .flatMap(head -> head.runs().stream())
              .map(run -> new HookAnswer.StartedRun(run.runId(), run.lane(), run.statusUrl()))
              .toList();
      return started(forge, deliveryId, event, repo, started);
    }
    if (what instanceof ForgeEvent.MergeRequestHead head) {
      String mr = mr(head.mr());
      String sha = sha(head.sha());
      List<HookAnswer.StartedRun> started = new ArrayList<>();
      for (String arch : repo.archs()) {
        started.add(
            start(
                new NewRun(
                    repo.url(),
                    sha,
                    arch,
                    Lanes.ofMergeRequest(repo.url(), mr, arch),
                    mr,
                    repo.defaultPriority(),
                    true,
                    null,
                    List.of(),
                    null,
                    head.branch(),
                    // a merge request's newest head is the only one worth finishing
                    SupersedePolicy.CANCEL_RUNNING),
                by));
      }
      return started(forge, deliveryId, event, repo, started);
    }
    if (what instanceof ForgeEvent.BranchDeleted deleted) {
      List<String> lanes =
          archs.stream().map(arch -> Lanes.of(repo.url(), deleted.branch(), arch)).toList();
      return cancelled(
          forge,
          deliveryId,
          event,
          repo,
          cancelAll(lanes, by + " (branch " + deleted.branch() + " deleted)"));
    }
    if (what instanceof ForgeEvent.MergeRequestClosed closed) {
      String mr = mr(closed.mr());
      List<String> lanes =
          archs.stream().map(arch -> Lanes.ofMergeRequest(repo.url(), mr, arch)).toList();
      return cancelled(
          forge,
          deliveryId,
          event,
          repo,
          cancelAll(lanes, by + " (merge request " + mr + " closed)"));
    }
    return noted.apply(((ForgeEvent.Ignored) what).note());
  }

  private HookAnswer.StartedRun start(NewRun run, String by) {
    RebuildAccepted accepted = rebuilds.rebuild(run, by).accepted();
    return new HookAnswer.StartedRun(accepted.runId(), accepted.lane(), accepted.statusUrl());
  }

  private List<Long> cancelAll(List<String> lanes, String by) {
    List<Long> cancelled = new ArrayList<>();
    for (RunRecord run : runs.unfinishedInLanes(lanes)) {
      try {
        cancels.cancelOnBehalfOfKiln(run, by);
        cancelled.add(run.id());
      } catch (ApiException e) {
        if (e.getStatusCode().value() != HttpStatus.CONFLICT.value()) {
          throw e;
        }
        // it ended meanwhile: nothing to cancel
      }
    }
    return cancelled;
  }

  private static HookAnswer started(
      Forge forge,
      String deliveryId,
      String event,
      RegisteredRepo repo,
      List<HookAnswer.StartedRun> started) {
    return new HookAnswer(
        forge.wireName(), deliveryId, event, repo.id(), false, started, List.of(), null);
  }

  private static HookAnswer cancelled(
      Forge forge, String deliveryId, String event, RegisteredRepo repo, List<Long> cancelled) {
    return new HookAnswer(
        forge.wireName(),
        deliveryId,
        event,
        repo.id(),
        false,
        List.of(),
        cancelled,
        cancelled.isEmpty() ? "nothing was running to cancel" : null);
  }

  private static String required(String value, String header) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("header " + header + " is missing");
    }
    return value;
  }

  private static String deliveryId(String id, Forge forge) {
    String value = required(id, forge.deliveryHeader);
    if (value.length() > MAX_DELIVERY_ID || value.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw ApiException.badRequest(
          forge.deliveryHeader
              + ": must be 1 to "
              + MAX_DELIVERY_ID
              + " printable ASCII characters without spaces");
    }
    return value;
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw ApiException.badRequest("the delivery has no body");
    }
    try {
      JsonNode payload = JSON.readTree(body);
      if (payload == null || !payload.isObject()) {
        throw ApiException.badRequest("the body is not a JSON object");
      }
      return payload;
    } catch (JacksonException e) {
      throw ApiException.badRequest(
          "the body is not JSON; set the webhook's content type to application/json");
    }
  }

  private static String sha(String sha) {
    if (sha == null || !SHA.matcher(sha).matches()) {
      throw ApiException.badRequest(
          "the payload's commit is not a full sha: " + LogSafe.escape(String.valueOf(sha)));
    }
    return sha;
  }

  private static String mr(String mr) {
    if (mr == null || !MR.matcher(mr).matches()) {
      throw ApiException.badRequest(
          "the payload's merge request number is not a number: "
              + LogSafe.escape(String.valueOf(mr)));
    }
    return mr;
  }
}
