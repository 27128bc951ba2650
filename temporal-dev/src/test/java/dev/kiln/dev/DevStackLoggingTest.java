package dev.kiln.dev;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.logging.LoggingSystem;

/**
 * The api's Spring context starts while Temporal and PostgreSQL still log from their own threads;
 * none of their lines may be lost to the context setting up logging.
 */
class DevStackLoggingTest {

  private final LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());

  @AfterEach
  void resetLogging() {
    logging.cleanUp();
  }

  @Test
  void aContextStartingAfterTheStackSetUpLoggingDropsNoLineOfAnotherThread() throws Exception {
    KilnApplications.initializeLogging();
    Logger logger = (Logger) LoggerFactory.getLogger("dev.kiln.dev.DevStackLoggingTest");
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    logger.addAppender(seen);
    try {
      // The first thing SpringApplication does in each context it runs.
      logging.beforeInitialize();
      Thread other = new Thread(() -> logger.info("Temporal is ready"));
      other.start();
      other.join();

      assertThat(seen.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("Temporal is ready");
    } finally {
      logger.detachAppender(seen);
    }
  }
}
