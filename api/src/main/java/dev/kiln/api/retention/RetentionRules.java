package dev.kiln.api.retention;

import dev.kiln.api.auth.RepoPatterns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which retention applies to a repository: the first rule whose pattern matches, else the default.
 * Written once as Java ({@link #keepFor}) and once as SQL ({@link #keepSql}), with the same pattern
 * semantics as API tokens' repository patterns.
 */
final class RetentionRules {

  private record Rule(RepoPatterns pattern, Duration keep) {}

  private final List<Rule> rules;
  private final Duration fallback;

  RetentionRules(RetentionProperties properties) {
    List<Rule> rules = new ArrayList<>();
    for (RetentionProperties.Rule rule : properties.repos()) {
      rules.add(new Rule(RepoPatterns.of(List.of(rule.pattern())), rule.keep()));
    }
    this.rules = List.copyOf(rules);
    this.fallback = properties.keep();
  }

  Duration keepFor(String repo) {
    return rules.stream()
        .filter(rule -> rule.pattern().matches(repo))
        .map(Rule::keep)
        .findFirst()
        .orElse(fallback);
  }

  /**
   * A SQL expression for the seconds a run of {@code repoColumn} keeps its logs and artifacts;
   * fills {@code params}.
   */
  String keepSql(String repoColumn, Map<String, Object> params) {
    params.put("keepDefault", fallback.toSeconds());
    if (rules.isEmpty()) {
      return ":keepDefault"; // "CASE ELSE … END", without a WHEN, is no SQL
    }
    StringBuilder sql = new StringBuilder("CASE");
    params.put("ambiguous", RepoPatterns.AMBIGUOUS);
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      sql.append(" WHEN ")
          .append(repoColumn)
          .append(" ~ :rule")
          .append(i)
          .append(" AND ")
          .append(repoColumn)
          .append(" !~ :ambiguous THEN :keep")
          .append(i);
      params.put("rule" + i, rule.pattern().regexes().get(0));
      params.put("keep" + i, rule.keep().toSeconds());
    }
    return sql.append(" ELSE :keepDefault END").toString();
  }

  /** The shortest retention of all: no run younger than this is ever due. */
  Duration shortest() {
    return rules.stream().map(Rule::keep).reduce(fallback, (a, b) -> a.compareTo(b) < 0 ? a : b);
  }
}
