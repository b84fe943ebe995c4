package io.flowgate.routing.flows;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Limits of the Flow registry. {@code maxJsonBytes} defaults to Meta's own 10 MB Flow JSON limit. */
@ConfigurationProperties("flowgate.flows")
record FlowsProperties(int maxJsonBytes) {
    FlowsProperties {
        if (maxJsonBytes <= 0) {
            maxJsonBytes = 10 * 1024 * 1024;
        }
    }
}
