package dev.kiln.api.support;

import dev.kiln.api.config.KilnProperties;
import dev.kiln.api.web.ProblemResponses;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;

/**
 * What every {@code @WebMvcTest} slice needs besides its controller: the filters (which the slice
 * includes) read {@link KilnProperties} and write problems through {@link ProblemResponses}.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(KilnProperties.class)
@Import(ProblemResponses.class)
public class WebSliceConfig {}
