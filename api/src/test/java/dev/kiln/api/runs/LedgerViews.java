package dev.kiln.api.runs;

import dev.kiln.api.culprit.CulpritStore;
import dev.kiln.api.notify.NotificationStore;
import dev.kiln.api.queue.BuildHostRepository;
import dev.kiln.api.queue.QueueRepository;
import dev.kiln.api.queue.QueueService;
import dev.kiln.api.repos.RepoStore;
import dev.kiln.api.support.TestProperties;
import dev.kiln.api.temporal.TemporalLinks;
import java.nio.file.Path;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** Run views over a test database, assembled as the application assembles them. */
final class LedgerViews {

  private LedgerViews() {}

  /** Temporal is not asked here: nobody knows who polls. */
  static RunViews over(JdbcClient jdbc) {
    return over(jdbc, new RunViewRepository(jdbc, JsonMapper.shared()));
  }

  /** As {@link #over(JdbcClient)}, the runs' details read by {@code details}. */
  static RunViews over(JdbcClient jdbc, RunViewRepository details) {
    return new RunViews(
        new RunRepository(jdbc),
        details,
        new TemporalLinks(TestProperties.kiln(Path.of("/tmp"))),
        new QueueService(
            new QueueRepository(jdbc),
            new BuildHostRepository(jdbc),
            arch -> Optional.empty(),
            TestProperties.kiln(Path.of("/tmp")),
            new RepoStore(jdbc)),
        new FinishedRunViews(),
        new NotificationStore(jdbc),
        new CulpritStore(jdbc));
  }
}
