package io.flowgate.routing.examples;

import io.flowgate.routing.chat.ChatMachines;
import io.flowgate.routing.chat.ChatProperties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The shipped example machine, {@value ChatProperties#EXAMPLE_MACHINE} (resource
 * {@code examples/lead_qualification/machine.json}): the seed's name → budget → score qualification, extended with
 * industry and timeline. Installed at start-up when no machine exists, so a fresh installation answers
 * its first users; once any machine exists, the business's own machines are left alone. The consumer
 * depends on this bean, so the example is in place before the first message is read.
 */
@Component
public class LeadQualificationExample implements InitializingBean {

    static final String RESOURCE = "/examples/lead_qualification/machine.json";
    private static final Logger log = LoggerFactory.getLogger(LeadQualificationExample.class);

    private final ChatMachines machines;
    private final ObjectMapper mapper;

    LeadQualificationExample(ChatMachines machines, ObjectMapper mapper) {
        this.machines = machines;
        this.mapper = mapper;
    }

    @Override
    public void afterPropertiesSet() {
        if (machines.installIfNone(ChatProperties.EXAMPLE_MACHINE, definition(mapper))) {
            log.info("no chat machine existed: installed the example {}", ChatProperties.EXAMPLE_MACHINE);
        }
    }

    /** The example's definition. */
    public static JsonNode definition(ObjectMapper mapper) {
        try (InputStream in = LeadQualificationExample.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
