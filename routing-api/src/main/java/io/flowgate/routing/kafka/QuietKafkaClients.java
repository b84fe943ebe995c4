package io.flowgate.routing.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.util.Arrays;
import java.util.List;

/**
 * A Logback turbo filter, set in the shipped logging configurations, that drops the warnings Kafka's
 * clients log on every reconnection or retry ("Connection to node 1 ... could not be established",
 * about once a second per client for as long as a broker is away) for the clients whose outage
 * routing-api reports itself: {@link KafkaAvailability} logs one warning when Kafka goes away and one
 * line when it is back, and the outbox relay warns when Kafka is reachable but does not acknowledge.
 * Errors (authentication, for instance) still pass, and so does everything of other clients.
 *
 * <p>Kafka's clients prefix each line with their id ({@code [Producer clientId=flowgate-outbox-relay] });
 * {@code clientIds} lists the id prefixes to quieten, comma-separated.
 */
public class QuietKafkaClients extends TurboFilter {

    private static final String KAFKA_CLIENTS = "org.apache.kafka.clients";

    private List<String> prefixes = List.of();

    /** Comma-separated client-id prefixes, e.g. {@code flowgate-outbox-relay,flowgate-routing-}. */
    public void setClientIds(String clientIds) {
        this.prefixes = Arrays.stream(clientIds.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .flatMap(id -> List.of("[Producer clientId=" + id, "[Consumer clientId=" + id, "[AdminClient clientId=" + id).stream())
                .toList();
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || level.isGreaterOrEqual(Level.ERROR) || format == null
                || !logger.getName().startsWith(KAFKA_CLIENTS)) {
            return FilterReply.NEUTRAL;
        }
        for (String prefix : prefixes) {
            if (format.startsWith(prefix)) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
