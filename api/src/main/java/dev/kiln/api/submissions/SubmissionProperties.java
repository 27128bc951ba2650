package dev.kiln.api.submissions;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code kiln.submissions.*}: local submissions ({@code POST /submissions}).
 *
 * @param maxBytes the largest upload (a git bundle of the working tree) the api takes; past it the
 *     answer is 413
 */
@ConfigurationProperties("kiln.submissions")
public record SubmissionProperties(@DefaultValue("100MB") DataSize maxBytes) {

  public SubmissionProperties {
    if (maxBytes.toBytes() < 1) {
      throw new IllegalArgumentException("kiln.submissions.max-bytes must be positive");
    }
  }
}
