package io.flowgate.routing.flows;

import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Limits of the Flow registry. {@code maxJsonBytes} defaults to Meta's own 10 MB Flow JSON limit. */
@ConfigurationProperties("flowgate.flows")
@Validated
record FlowsProperties(@DefaultValue("10485760") @Positive int maxJsonBytes) {
}
