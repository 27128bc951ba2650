package dev.kiln.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Kiln api: starts runs, serves run views, logs and artifacts, and ingests what workers report
 * on {@code /internal}. It is the only process that talks to PostgreSQL.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class KilnApiApplication {

  public static void main(String[] args) {
    SpringApplication.run(KilnApiApplication.class, args);
  }
}
