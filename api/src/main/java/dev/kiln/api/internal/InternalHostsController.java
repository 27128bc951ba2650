package dev.kiln.api.internal;

import dev.kiln.api.metrics.BuildMetrics;
import dev.kiln.api.queue.BuildHostRepository;
import dev.kiln.api.queue.BuildHostRepository.HostReport;
import dev.kiln.api.queue.QueueRepository;
import dev.kiln.api.queue.QueueService;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.workflows.Architectures;
import dev.kiln.workflows.WorkerLabels;
import dev.kiln.workflows.internal.InternalBodies.ArchServed;
import dev.kiln.workflows.internal.InternalBodies.HostAnswer;
import dev.kiln.workflows.internal.InternalBodies.HostStatus;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A build host's periodic capacity report, and whether an arch is served at all, which a waiting
 * run's workflow asks (docs/internal-api.md).
 */
@RestController
class InternalHostsController {

  /** More archs than any machine builds for: a body listing more is not a host's report. */
  private static final int MAX_ARCHS = 32;

  /** More runs than any host holds workspaces for at once. */
  private static final int MAX_RUNS = 1024;

  /** More labels than a host has toolchains and configured ones. */
  private static final int MAX_LABELS = 64;

  private final BuildHostRepository hosts;
  private final QueueService queue;
  private final RunRepository runs;
  private final QueueRepository waiting;
  private final BuildMetrics metrics;

  InternalHostsController(
      BuildHostRepository hosts,
      QueueService queue,
      RunRepository runs,
      QueueRepository waiting,
      BuildMetrics metrics) {
    this.metrics = metrics;
    this.waiting = waiting;
    this.hosts = hosts;
    this.queue = queue;
    this.runs = runs;
  }

  @GetMapping(path = InternalPaths.ARCH_SERVED, produces = MediaType.APPLICATION_JSON_VALUE)
  ArchServed served(
      @PathVariable String arch,
      @org.springframework.web.bind.annotation.RequestParam(required = false) String labels) {
    String normalised = Architectures.normalise(InternalInput.name("arch", arch));
    return new ArchServed(normalised, queue.servedWithLabels(normalised, labelList(labels)));
  }

  private static List<String> labelList(String labels) {
    if (labels == null || labels.isEmpty()) {
      return List.of();
    }
    return checkedLabels("labels", List.of(labels.split(",", -1)));
  }

  private static List<String> checkedLabels(String field, List<String> labels) {
    try {
      return WorkerLabels.check(field, labels);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  @PostMapping(
      path = InternalPaths.HOST,
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  HostAnswer report(@PathVariable String host, @RequestBody HostStatus body) {
    String name = InternalInput.name("host", host);
    if (body.slots() == null || body.slots() < 1) {
      throw ApiException.badRequest("slots: must be at least 1, got " + body.slots());
    }
    List<String> archs = archs(body.archs());
    List<String> labels = hostLabels(body.labels());
    List<Long> held = runIds(body.runs());
    boolean drain =
        hosts.report(
            name,
            new HostReport(
                archs,
                body.slots(),
                InternalInput.count("busy", body.busy()),
                fraction("cpu", body.cpu()),
                fraction("memory", body.memory()),
                Boolean.TRUE.equals(body.pausedForResources()),
                labels,
                version(body.version()),
                Boolean.TRUE.equals(body.draining()),
                held,
                process(body.process())));
    metrics.hostReported();
    boolean takesBuilds = !drain && !Boolean.TRUE.equals(body.draining());
    return new HostAnswer(
        runs.endedAmong(held),
        drain,
        takesBuilds && !labels.isEmpty() ? waiting.wantedLabelledQueues(archs, labels) : List.of());
  }

  /** A host's labels: as many as it has (toolchains and configured ones), each spelled right. */
  private static List<String> hostLabels(List<String> labels) {
    if (labels == null) {
      return List.of();
    }
    if (labels.size() > MAX_LABELS) {
      throw ApiException.badRequest("labels: more than " + MAX_LABELS + " labels");
    }
    for (int i = 0; i < labels.size(); i++) {
      if (!WorkerLabels.valid(labels.get(i))) {
        throw ApiException.badRequest("labels[" + i + "]: not a label: " + labels.get(i));
      }
    }
    return List.copyOf(new java.util.TreeSet<>(labels));
  }

  private static String version(String version) {
    if (version == null) {
      return null;
    }
    if (version.length() > 64 || version.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest("version: at most 64 printable characters");
    }
    return version;
  }

  private static String process(String process) {
    return process == null ? "" : InternalInput.name("process", process);
  }

  private static List<Long> runIds(List<Long> ids) {
    if (ids == null) {
      return List.of();
    }
    if (ids.size() > MAX_RUNS) {
      throw ApiException.badRequest("runs: more than " + MAX_RUNS + " runs");
    }
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i) == null || ids.get(i) < 1) {
        throw ApiException.badRequest("runs[" + i + "]: must be a run id, got " + ids.get(i));
      }
    }
    return ids;
  }

  private static List<String> archs(List<String> archs) {
    if (archs == null || archs.isEmpty()) {
      throw ApiException.badRequest("archs: must name at least one architecture");
    }
    if (archs.size() > MAX_ARCHS) {
      throw ApiException.badRequest("archs: more than " + MAX_ARCHS + " architectures");
    }
    List<String> normalised = new ArrayList<>();
    for (int i = 0; i < archs.size(); i++) {
      normalised.add(Architectures.normalise(InternalInput.name("archs[" + i + "]", archs.get(i))));
    }
    return normalised;
  }

  private static double fraction(String field, Double value) {
    if (value == null || value.isNaN() || value < 0 || value > 1) {
      throw ApiException.badRequest(field + ": must be a fraction from 0 to 1, got " + value);
    }
    return value;
  }
}
