package dev.kiln.workflows.repo;

/**
 * The form repository URLs are compared in: without a trailing {@code /} or {@code .git}, as forges
 * name one repository {@code https://host/team/app} in one field and {@code
 * https://host/team/app.git} in another. Registered repositories are found by it, and runs of one
 * repository share a fair queue by it.
 */
public final class RepositoryKey {

  private RepositoryKey() {}

  public static String of(String url) {
    String key = url.strip();
    while (key.endsWith("/")) {
      key = key.substring(0, key.length() - 1);
    }
    if (key.endsWith(".git")) {
      key = key.substring(0, key.length() - ".git".length());
    }
    return key;
  }
}
