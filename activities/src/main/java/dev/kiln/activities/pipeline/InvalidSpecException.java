package dev.kiln.activities.pipeline;

import dev.kiln.workflows.FailureTypes;

/**
 * {@code kiln.yaml} is not a valid pipeline. The message names the file, line, path and problem,
 * e.g. {@code kiln.yaml:7: gates[1].timeout: "20 minutes" is not a duration (use 90s, 20m, 1h)}, so
 * that a user can fix it from the failure summary alone.
 */
public final class InvalidSpecException extends PlanException {

  private final String file;
  private final int line;
  private final String path;
  private final String problem;

  /**
   * @param line 1-based; 0 when the problem is with the file as a whole
   * @param path where in the document, e.g. {@code gates[1].timeout}; empty for the document root
   */
  public InvalidSpecException(String file, int line, String path, String problem) {
    super(format(file, line, path, problem));
    this.file = file;
    this.line = line;
    this.path = path;
    this.problem = problem;
  }

  private static String format(String file, int line, String path, String problem) {
    StringBuilder message = new StringBuilder(file);
    if (line > 0) {
      message.append(':').append(line);
    }
    message.append(": ");
    if (!path.isEmpty()) {
      message.append(path).append(": ");
    }
    return message.append(problem).toString();
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public String path() {
    return path;
  }

  public String problem() {
    return problem;
  }

  @Override
  public String failureType() {
    return FailureTypes.INVALID_SPEC;
  }
}
