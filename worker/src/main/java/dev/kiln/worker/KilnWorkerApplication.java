package dev.kiln.worker;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.ComponentScan;

/**
 * A Kiln worker: polls Temporal for Kiln's workflows and activities. No auto-configuration on
 * purpose: the dev stack runs this context in the same JVM as the api, whose database and web
 * auto-configuration must not leak in here — and a build host should wire only what it uses.
 */
@SpringBootConfiguration
@ComponentScan
@EnableConfigurationProperties({WorkerProperties.class, SandboxProperties.class})
public class KilnWorkerApplication {

  public static void main(String[] args) {
    new SpringApplicationBuilder(KilnWorkerApplication.class)
        .web(WebApplicationType.NONE)
        .run(args);
  }
}
