package dev.kiln.api.retention;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code kiln.retention.*}: how long the logs and artifacts of a finished run are kept. The newest
 * run of each lane keeps them whatever its age; every run keeps its row, gates and summary.
 *
 * @param keep for repositories no rule names
 * @param repos per-repository rules, the first whose pattern matches wins; patterns are written as
 *     for API tokens ({@code https://git.example.com/team/*})
 * @param batchSize runs removed per call of the retention activity
 */
@ConfigurationProperties("kiln.retention")
public record RetentionProperties(
    @DefaultValue("30d") Duration keep,
    @DefaultValue List<Rule> repos,
    @DefaultValue("200") int batchSize) {

  public RetentionProperties {
    positive("kiln.retention.keep", keep);
    for (Rule rule : repos) {
      if (rule.pattern() == null || rule.pattern().isBlank()) {
        throw new IllegalArgumentException("kiln.retention.repos: a rule has no pattern");
      }
      positive("kiln.retention.repos (" + rule.pattern() + ").keep", rule.keep());
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("kiln.retention.batch-size must be at least 1");
    }
  }

  /**
   * @param pattern a repository pattern
   * @param keep how long runs of matching repositories keep their logs and artifacts
   */
  public record Rule(String pattern, Duration keep) {}

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, such as 30d");
    }
  }
}
