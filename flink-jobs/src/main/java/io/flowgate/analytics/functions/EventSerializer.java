package io.flowgate.analytics.functions;

import io.flowgate.events.EventJson;
import io.flowgate.events.FlowgateEvent;
import org.apache.flink.api.common.serialization.SerializationSchema;

import java.nio.charset.StandardCharsets;

/**
 * Writes events to Kafka exactly as every other Flowgate producer does: the value is the event's JSON
 * ({@link EventJson}), the key its {@link FlowgateEvent#key()}.
 */
public final class EventSerializer {

    private EventSerializer() {
    }

    public static <T extends FlowgateEvent> SerializationSchema<T> value() {
        return new Value<>();
    }

    public static <T extends FlowgateEvent> SerializationSchema<T> key() {
        return new Key<>();
    }

    private static final class Value<T extends FlowgateEvent> implements SerializationSchema<T> {
        @Override
        public byte[] serialize(T event) {
            return EventJson.toBytes(event);
        }
    }

    private static final class Key<T extends FlowgateEvent> implements SerializationSchema<T> {
        @Override
        public byte[] serialize(T event) {
            return event.key().getBytes(StandardCharsets.UTF_8);
        }
    }
}
