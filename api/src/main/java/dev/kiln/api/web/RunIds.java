package dev.kiln.api.web;

/** Parses the {@code {id}} of run paths, so every endpoint rejects a malformed id alike. */
public final class RunIds {

  private RunIds() {}

  /**
   * @throws ApiException 400 unless {@code raw} is a positive integer that fits a run id
   */
  public static long parse(String raw) {
    if (raw != null && raw.matches("[0-9]{1,18}")) {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    }
    throw ApiException.badRequest("run id \"" + raw + "\" is not a positive integer");
  }
}
