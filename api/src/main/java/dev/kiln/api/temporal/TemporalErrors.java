package dev.kiln.api.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** One-line descriptions of Temporal client failures, fit for a failure summary or a detail. */
final class TemporalErrors {

  private TemporalErrors() {}

  /** "Temporal at host:port refused or is unreachable (UNAVAILABLE: …)". */
  static String unreachable(String address, Throwable e) {
    return "Temporal at " + address + " refused or is unreachable (" + describe(e) + ")";
  }

  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException grpc) {
        Status status = grpc.getStatus();
        String description = status.getDescription();
        return description == null || description.isBlank()
            ? status.getCode().name()
            : status.getCode().name() + ": " + description;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
