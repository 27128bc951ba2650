package dev.kiln.activities.pipeline;

import dev.kiln.activities.pipeline.YamlNode.Mapping;
import dev.kiln.activities.pipeline.YamlNode.Scalar;
import dev.kiln.activities.pipeline.YamlNode.Sequence;
import dev.kiln.workflows.WorkerLabels;
import dev.kiln.workflows.plan.CommandStep;
import dev.kiln.workflows.plan.GateSpec;
import dev.kiln.workflows.plan.PipelinePlan;
import dev.kiln.workflows.plan.SandboxRequest;
import dev.kiln.workflows.plan.StepVariableNames;
import dev.kiln.workflows.secrets.SecretNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads {@code kiln.yaml} (docs/kiln-yaml.md) into a {@link PipelinePlan}.
 *
 * <pre>
 * compile:                      # list; an item is a command or {run, timeout, secrets}
 *   - run: ./configure &amp;&amp; make
 *     timeout: 20m              # default 60m
 *     secrets: [DEPLOY_TOKEN]   # the repository's secrets this command gets as variables
 * stage:
 *   artifacts: ["*.tar.gz"]     # workspace-relative globs
 * gates:                        # list of {name, run, reports?, timeout?, required?, secrets?}
 *   - name: unit                # [A-Za-z0-9._-]+, unique
 *     run: make test
 *     reports: ["**&#47;TEST-*.xml"]  # or {junit: "build/test-results/**&#47;*.xml"}
 *     timeout: 10m              # default 30m
 *     required: false           # default true
 * env:                          # string to string; numbers and booleans kept as written
 *   CFLAGS: -O2
 * resources:                    # each optional; capped by the build worker's maximums
 *   memory: 4g                  # all of a step's processes together (binary units: 512m, 4g)
 *   cpus: 2                     # cores' worth of CPU time, may be fractional (0.5)
 *   pids: 2048                  # processes and threads at once
 *   disk: 10g                   # workspace, run home and temporary files together
 *   timeout: 20m                # the timeout of every step that sets none of its own
 * network: false                # an empty network namespace for every step (default true)
 * requires: [jdk21, big-memory] # labels the build host must have, every one of them
 * </pre>
 *
 * <p>The parser is strict: an unknown key, a value of the wrong type, or a typo is an error with
 * file, line and path, never silently ignored, because a misspelled {@code requird: false} that is
 * dropped turns into a run failing for reasons the user cannot see.
 */
public final class KilnYamlParser {

  /** The file Kiln reads at the repository root. */
  public static final String FILE_NAME = "kiln.yaml";

  private static final List<String> TOP_KEYS =
      List.of("compile", "stage", "gates", "env", "resources", "network", "requires");
  private static final List<String> RESOURCE_KEYS =
      List.of("memory", "cpus", "pids", "disk", "timeout");

  /** Below this a step cannot even start a shell; a typo ("4" for "4g") says so. */
  static final long MIN_MEMORY_BYTES = 16L << 20;

  private static final List<String> STEP_KEYS = List.of("run", "timeout", "secrets");
  private static final List<String> STAGE_KEYS = List.of("artifacts");
  private static final List<String> GATE_KEYS =
      List.of("name", "run", "reports", "timeout", "required", "secrets");

  /**
   * Report formats a gate may name ({@code reports: {junit: …}}). Jest's JSON results are read
   * wherever a report glob finds them, so {@code jest} is a name for the same list.
   */
  private static final List<String> REPORT_FORMATS = List.of("junit", "jest");

  private static final Pattern GATE_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** The api stores gate names and log steps ({@code gate:<name>}) in bounded columns. */
  static final int MAX_GATE_NAME = 100;

  private final SpecReader spec = new SpecReader(FILE_NAME);

  /**
   * @param yaml the file's content
   * @throws InvalidSpecException with a message like {@code kiln.yaml:7: gates[1].timeout: "20
   *     minutes" is not a duration (use 90s, 20m, 1h)}
   */
  public PipelinePlan parse(String yaml) throws InvalidSpecException {
    YamlNode root = YamlTreeReader.read(FILE_NAME, yaml);
    if (root == null) {
      throw spec.error(1, "", "the file is empty; it needs compile or gates");
    }
    Mapping top = spec.mapping(root, "", "a mapping with compile, stage, gates or env");
    spec.onlyKeys(top, "", TOP_KEYS);
    Mapping resources = resources(top.get("resources"));
    Long timeout =
        resources == null || resources.get("timeout") == null
            ? null
            : spec.timeoutSeconds(resources.get("timeout"), "resources.timeout", 0);
    SandboxRequest sandbox = sandbox(resources, top.get("network"));
    List<CommandStep> compile =
        compile(
            top.get("compile"), timeout == null ? PlanDefaults.COMPILE_TIMEOUT_SECONDS : timeout);
    List<String> artifacts = artifacts(top.get("stage"));
    List<GateSpec> gates =
        gates(top.get("gates"), timeout == null ? PlanDefaults.GATE_TIMEOUT_SECONDS : timeout);
    Map<String, String> env = env(top.get("env"));
    if (compile.isEmpty() && gates.isEmpty()) {
      throw spec.error(root.line(), "", "nothing to run: add compile or gates");
    }
    List<GateSpec> sandboxedGates = gates.stream().map(g -> g.withSandbox(sandbox)).toList();
    return new PipelinePlan(
        FILE_NAME, compile, artifacts, sandboxedGates, env, sandbox, requires(top.get("requires")));
  }

  /** The labels of {@code requires:}: a label or a list of them, each spelled as labels are. */
  private List<String> requires(YamlNode node) throws InvalidSpecException {
    if (node == null) {
      return List.of();
    }
    List<YamlNode> items =
        node instanceof Scalar
            ? List.of(node)
            : spec.sequence(node, "requires", "a list of worker labels ([jdk21, big-memory])")
                .items();
    if (items.size() > WorkerLabels.MAX_REQUIRED) {
      throw spec.error(
          node.line(), "requires", "more than " + WorkerLabels.MAX_REQUIRED + " labels");
    }
    List<String> labels = new ArrayList<>();
    for (YamlNode item : items) {
      String path = "requires[" + labels.size() + "]";
      String label = spec.string(item, path);
      if (!WorkerLabels.valid(label)) {
        throw spec.error(
            item.line(),
            path,
            "\""
                + label
                + "\" is not a worker label (lower case letters, digits, '.', '_' and '-', at most "
                + WorkerLabels.MAX_LENGTH
                + " characters, starting with a letter or digit)");
      }
      if (labels.contains(label)) {
        throw spec.error(item.line(), path, "\"" + label + "\" is listed twice");
      }
      labels.add(label);
    }
    return labels;
  }

  private Mapping resources(YamlNode node) throws InvalidSpecException {
    if (node == null) {
      return null;
    }
    Mapping resources =
        spec.mapping(node, "resources", "a mapping with memory, cpus, pids, disk or timeout");
    spec.onlyKeys(resources, "resources", RESOURCE_KEYS);
    return resources;
  }

  private SandboxRequest sandbox(Mapping resources, YamlNode network) throws InvalidSpecException {
    Boolean networkOn = network == null ? null : spec.bool(network, "network");
    if (resources == null) {
      return networkOn == null ? null : new SandboxRequest(null, null, null, null, networkOn);
    }
    Long memory = spec.byteSize(resources.get("memory"), "resources.memory", MIN_MEMORY_BYTES);
    Double cpus = spec.positiveNumber(resources.get("cpus"), "resources.cpus");
    Long pids = spec.count(resources.get("pids"), "resources.pids", 2, Integer.MAX_VALUE);
    Long disk = spec.byteSize(resources.get("disk"), "resources.disk", 1L << 20);
    return new SandboxRequest(memory, cpus, pids == null ? null : pids.intValue(), disk, networkOn);
  }

  private List<CommandStep> compile(YamlNode node, long defaultTimeout)
      throws InvalidSpecException {
    if (node == null) {
      return List.of();
    }
    Sequence steps = spec.sequence(node, "compile", "a list of commands (- make)");
    List<CommandStep> compile = new ArrayList<>();
    for (YamlNode item : steps.items()) {
      compile.add(step(item, "compile[" + compile.size() + "]", defaultTimeout));
    }
    return compile;
  }

  private CommandStep step(YamlNode item, String path, long defaultTimeout)
      throws InvalidSpecException {
    if (item instanceof Scalar) {
      return new CommandStep(spec.nonEmptyString(item, path), defaultTimeout);
    }
    Mapping step = spec.mapping(item, path, "a command or a mapping with run and timeout");
    spec.onlyKeys(step, path, STEP_KEYS);
    String run = spec.nonEmptyString(spec.required(step, path, "run"), path + ".run");
    long timeout = spec.timeoutSeconds(step.get("timeout"), path + ".timeout", defaultTimeout);
    return new CommandStep(run, timeout, secrets(step.get("secrets"), path + ".secrets"));
  }

  private List<String> artifacts(YamlNode node) throws InvalidSpecException {
    if (node == null) {
      return List.of();
    }
    Mapping stage = spec.mapping(node, "stage", "a mapping with artifacts");
    spec.onlyKeys(stage, "stage", STAGE_KEYS);
    YamlNode artifacts = stage.get("artifacts");
    return artifacts == null ? List.of() : spec.globs(artifacts, "stage.artifacts");
  }

  private List<GateSpec> gates(YamlNode node, long defaultTimeout) throws InvalidSpecException {
    if (node == null) {
      return List.of();
    }
    Sequence items = spec.sequence(node, "gates", "a list of gates");
    List<GateSpec> gates = new ArrayList<>();
    Map<String, Integer> lineOfName = new HashMap<>();
    for (YamlNode item : items.items()) {
      String path = "gates[" + gates.size() + "]";
      Mapping gate = spec.mapping(item, path, "a mapping with name and run");
      spec.onlyKeys(gate, path, GATE_KEYS);
      YamlNode nameNode = spec.required(gate, path, "name");
      String name = gateName(nameNode, path + ".name");
      Integer earlier = lineOfName.putIfAbsent(name, nameNode.line());
      if (earlier != null) {
        throw spec.error(
            nameNode.line(),
            path + ".name",
            "duplicate gate name \"" + name + "\" (first at line " + earlier + ")");
      }
      gates.add(gate(gate, path, name, defaultTimeout));
    }
    return gates;
  }

  private GateSpec gate(Mapping gate, String path, String name, long defaultTimeout)
      throws InvalidSpecException {
    String run = spec.nonEmptyString(spec.required(gate, path, "run"), path + ".run");
    YamlNode reports = gate.get("reports");
    YamlNode required = gate.get("required");
    return new GateSpec(
        name,
        run,
        reports == null ? List.of() : reports(reports, path + ".reports"),
        spec.timeoutSeconds(gate.get("timeout"), path + ".timeout", defaultTimeout),
        required == null || spec.bool(required, path + ".required"),
        null,
        secrets(gate.get("secrets"), path + ".secrets"));
  }

  /**
   * A list of the repository's secret names ({@code [DEPLOY_TOKEN]}); the values are the api's and
   * are looked up when the step runs, so an unset name is a run failure, not a parse error.
   */
  private List<String> secrets(YamlNode node, String path) throws InvalidSpecException {
    if (node == null) {
      return List.of();
    }
    Sequence items = spec.sequence(node, path, "a list of secret names ([DEPLOY_TOKEN])");
    List<String> names = new ArrayList<>();
    for (YamlNode item : items.items()) {
      String itemPath = path + "[" + names.size() + "]";
      String name = spec.string(item, itemPath);
      Optional<String> problem = SecretNames.problem(name);
      if (problem.isPresent()) {
        throw spec.error(item.line(), itemPath, "\"" + name + "\" " + problem.get());
      }
      if (names.contains(name)) {
        throw spec.error(item.line(), itemPath, "\"" + name + "\" is listed twice");
      }
      names.add(name);
    }
    return names;
  }

  /** A glob, a list of globs, or a mapping of report formats to either. */
  private List<String> reports(YamlNode node, String path) throws InvalidSpecException {
    if (!(node instanceof Mapping formats)) {
      return spec.globs(node, path);
    }
    spec.onlyKeys(formats, path, REPORT_FORMATS);
    List<String> globs = new ArrayList<>();
    for (YamlNode.Entry entry : formats.entries().values()) {
      globs.addAll(spec.globs(entry.value(), path + "." + entry.key()));
    }
    return globs;
  }

  /** Gate names appear in URLs, log step names and metrics labels, hence the narrow alphabet. */
  private String gateName(YamlNode node, String path) throws InvalidSpecException {
    String name = spec.string(node, path);
    if (name.isEmpty()) {
      throw spec.error(node.line(), path, "must not be empty");
    }
    if (name.length() > MAX_GATE_NAME) {
      throw spec.error(
          node.line(), path, "is " + name.length() + " characters; at most " + MAX_GATE_NAME);
    }
    if (!GATE_NAME.matcher(name).matches()) {
      throw spec.error(
          node.line(), path, "\"" + name + "\" may only contain letters, digits, '.', '_' and '-'");
    }
    return name;
  }

  private Map<String, String> env(YamlNode node) throws InvalidSpecException {
    if (node == null) {
      return Map.of();
    }
    Mapping mapping = spec.mapping(node, "env", "a mapping of names to values");
    Map<String, String> env = new LinkedHashMap<>();
    for (YamlNode.Entry entry : mapping.entries().values()) {
      String path = "env." + entry.key();
      checkEnvName(entry, path);
      env.put(entry.key(), envValue(entry.value(), path));
    }
    return env;
  }

  private void checkEnvName(YamlNode.Entry entry, String path) throws InvalidSpecException {
    Optional<String> problem = StepVariableNames.problem(entry.key());
    if (problem.isPresent()) {
      throw spec.error(entry.keyLine(), path, "\"" + entry.key() + "\" " + problem.get());
    }
  }

  /** Numbers and booleans keep their spelling: {@code 1.10} must not become "1.1". */
  private String envValue(YamlNode value, String path) throws InvalidSpecException {
    if (value instanceof Scalar scalar && !scalar.isNull()) {
      return scalar.text();
    }
    if (value instanceof Scalar) {
      throw spec.error(value.line(), path, "has no value (write \"\" for an empty string)");
    }
    throw spec.error(
        value.line(), path, "must be a string, number or true/false, got " + value.kind());
  }
}
