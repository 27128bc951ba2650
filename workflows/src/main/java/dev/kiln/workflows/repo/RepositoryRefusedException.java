package dev.kiln.workflows.repo;

/**
 * A repository URL or ref that Kiln does not fetch, with the reason in words fit for an API caller:
 * it names the rule and never quotes a credential.
 */
public final class RepositoryRefusedException extends Exception {

  /** What was refused: the field name the api reports it under. */
  public enum Subject {
    REPO("repo"),
    REF("ref");

    private final String field;

    Subject(String field) {
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  private final Subject subject;
  private final String reason;

  RepositoryRefusedException(Subject subject, String reason) {
    super(subject.field() + ": " + reason, null, false, false);
    this.subject = subject;
    this.reason = reason;
  }

  public Subject subject() {
    return subject;
  }

  /** The reason alone, without the field name: {@code host "x" resolves to 10.0.0.1, ...}. */
  public String reason() {
    return reason;
  }
}
