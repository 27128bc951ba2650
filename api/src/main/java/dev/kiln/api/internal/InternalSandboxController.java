package dev.kiln.api.internal;

import dev.kiln.api.fencing.AttemptFence;
import dev.kiln.api.runs.RunRepository;
import dev.kiln.api.runs.RunSandboxRepository;
import dev.kiln.api.web.ApiException;
import dev.kiln.api.web.RunIds;
import dev.kiln.workflows.internal.AttemptFencing;
import dev.kiln.workflows.internal.InternalBodies.Limits;
import dev.kiln.workflows.internal.InternalBodies.SandboxReport;
import dev.kiln.workflows.internal.InternalBodies.UsageReport;
import dev.kiln.workflows.internal.InternalPaths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * What build hosts report about isolation (docs/internal-api.md): the sandbox and limits a run's
 * steps run under, and what each command used. Ignored once the run has ended, like the ledger.
 */
@RestController
class InternalSandboxController {

  private static final Pattern SANDBOX = Pattern.compile("[a-z0-9-]{1,40}");
  private static final int MAX_COMMANDS = 10_000;

  private final RunSandboxRepository sandboxes;
  private final RunRepository runs;
  private final JsonMapper json;
  private final AttemptFence fence;

  InternalSandboxController(
      RunSandboxRepository sandboxes, RunRepository runs, JsonMapper json, AttemptFence fence) {
    this.fence = fence;
    this.sandboxes = sandboxes;
    this.runs = runs;
    this.json = json;
  }

  @PostMapping(path = InternalPaths.SANDBOX, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void sandbox(
      @PathVariable String id,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      @RequestBody SandboxReport body) {
    long runId = RunIds.parse(id);
    if (body.sandbox() == null || !SANDBOX.matcher(body.sandbox()).matches()) {
      throw ApiException.badRequest(
          "sandbox: must name the sandbox, such as bwrap or none (lower case, at most 40)");
    }
    String limits = body.limits() == null ? null : json.writeValueAsString(limits(body.limits()));
    if (!fence.guarded(
        runId, attempt, "sandbox", () -> sandboxes.recordSandbox(runId, body.sandbox(), limits))) {
      requireRun(runId);
    }
  }

  @PostMapping(path = InternalPaths.USAGE, consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void usage(
      @PathVariable String id,
      @RequestHeader(name = AttemptFencing.ATTEMPT_HEADER, required = false) Integer attempt,
      @RequestBody UsageReport body) {
    long runId = RunIds.parse(id);
    String step = InternalInput.name("step", body.step());
    if (body.command() == null || body.command() < 0 || body.command() > MAX_COMMANDS) {
      throw ApiException.badRequest(
          "command: must be the command's place in its step, 0 to " + MAX_COMMANDS);
    }
    Long peak = notNegative("peak_memory_bytes", body.peakMemoryBytes());
    Long cpu = notNegative("cpu_millis", body.cpuMillis());
    if (!fence.guarded(
        runId,
        attempt,
        "usage",
        () -> sandboxes.recordUsage(runId, step, body.command(), peak, cpu))) {
      requireRun(runId);
    }
  }

  private Map<String, Object> limits(Limits limits) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("memory_bytes", notNegative("limits.memory_bytes", limits.memoryBytes()));
    values.put("cpus", notNegative("limits.cpus", limits.cpus()));
    values.put(
        "pids",
        notNegative("limits.pids", limits.pids() == null ? null : limits.pids().longValue()));
    values.put("disk_bytes", notNegative("limits.disk_bytes", limits.diskBytes()));
    values.put("timeout_seconds", notNegative("limits.timeout_seconds", limits.timeoutSeconds()));
    values.put("network", limits.network());
    values.put("enforced_by", InternalInput.text(limits.enforcedBy(), 100));
    return values;
  }

  private void requireRun(long runId) {
    if (!runs.exists(runId)) {
      throw ApiException.runNotFound(runId);
    }
  }

  private static Long notNegative(String field, Long value) {
    if (value != null && value < 0) {
      throw ApiException.badRequest(field + ": must not be negative, got " + value);
    }
    return value;
  }

  private static Double notNegative(String field, Double value) {
    if (value != null && (value < 0 || value.isNaN() || value.isInfinite())) {
      throw ApiException.badRequest(field + ": must be a number, 0 or more, got " + value);
    }
    return value;
  }
}
