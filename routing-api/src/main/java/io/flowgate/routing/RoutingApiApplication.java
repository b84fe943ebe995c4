package io.flowgate.routing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** routing-api: the Flow data endpoint, routing, sessions, outbox and chat state machine. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RoutingApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(RoutingApiApplication.class, args);
    }
}
