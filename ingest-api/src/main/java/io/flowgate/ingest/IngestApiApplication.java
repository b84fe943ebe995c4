package io.flowgate.ingest;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * ingest-api: Meta's messaging webhook, written durably to Kafka before it is acknowledged.
 *
 * <p>Its only routes are Meta's ({@code /webhook}: the verify token and {@code X-Hub-Signature-256}
 * authenticate them) and health and metrics, so it has no access rules by path. Spring Security's
 * auto-configuration is excluded by name: in the embedded run routing-api's Spring Security is on the
 * same class path, and its default (HTTP basic on every route) would refuse Meta's webhooks.
 */
@SpringBootApplication(excludeName = {
        "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration",
        "org.springframework.boot.autoconfigure.security.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration"})
@ConfigurationPropertiesScan
public class IngestApiApplication {

    public static void main(String[] args) {
        application().run(args);
    }

    /**
     * The application with its configuration file, {@code ingest-api.yml}: named after the service so
     * that it never mixes with routing-api's when both run in one JVM (the embedded run).
     */
    public static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(IngestApiApplication.class).properties("spring.config.name=ingest-api");
    }
}
