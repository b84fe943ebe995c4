package io.flowgate.routing;

import io.flowgate.routing.examples.DeviceRepairExample;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * routing-api: the Flow data endpoint, routing, sessions, outbox and chat state machine. With
 * {@code install-example <routing-api URL>} as its arguments it starts no server but installs the shipped
 * example on a running routing-api through its admin API ({@link DeviceRepairExample#command}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RoutingApiApplication {

    public static void main(String[] args) {
        if (args.length > 0 && DeviceRepairExample.COMMAND.equals(args[0])) {
            System.exit(DeviceRepairExample.command(args, System.getenv("FLOWGATE_ADMIN_TOKEN"), System.out));
        }
        SpringApplication.run(RoutingApiApplication.class, args);
    }
}
