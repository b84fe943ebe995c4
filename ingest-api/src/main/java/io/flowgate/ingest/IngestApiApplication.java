package io.flowgate.ingest;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** ingest-api: Meta's messaging webhook, written durably to Kafka before it is acknowledged. */
@SpringBootApplication
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
