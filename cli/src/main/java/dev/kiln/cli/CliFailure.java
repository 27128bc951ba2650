package dev.kiln.cli;

/**
 * Something the user can act on, said in one line: Kiln unreachable, a request the api refused.
 * {@code kiln} prints the message, never a stack trace, and exits {@link
 * ExitCodes#USAGE_OR_CONNECTION}.
 */
public class CliFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CliFailure(String message) {
    super(message);
  }
}
