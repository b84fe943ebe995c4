package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.TopicEvent;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Heartbeat;
import io.flowgate.events.StaleSession;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TopicEventDeserializerTest {

    private static final Instant T = Instant.parse("2026-11-20T10:15:00Z");

    private static List<TopicEvent> read(TopicEventDeserializer d, byte[]... values) {
        List<TopicEvent> out = new ArrayList<>();
        Collector<TopicEvent> collector = new Collector<>() {
            @Override
            public void collect(TopicEvent record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        };
        for (byte[] v : values) {
            d.deserialize(new ConsumerRecord<>("t", 0, 0, null, v), collector);
        }
        return out;
    }

    private static FlowTransition transition(Instant at) {
        return new FlowTransition("e1", at, "shop", "s1", "u1", T, "", "ITEM", "INIT",
                Map.of("item_id", "sku-1", "budget", " 9000 ", "industry", ""), false, false, "flow");
    }

    @Test
    void transitionsAndRequestsAreReadOtherEventsAndGarbageSkipped() {
        List<TopicEvent> events = read(new TopicEventDeserializer(Long.MIN_VALUE, Long.MAX_VALUE),
                EventJson.toBytes(transition(T)),
                EventJson.toBytes(new EndpointRequest("r1", T, null, null, null, "ping", 200, "ok", 900)),
                EventJson.toBytes(new StaleSession("x", T, "f", "s", "u", "A", T, T, "flow")),
                EventJson.toBytes(new EndpointRequest(null, T, null, null, "", "ping", 200, "ok", 900)),
                "not json".getBytes(StandardCharsets.UTF_8),
                null);

        assertThat(events).hasSize(2);
        assertThat(events.get(0).step()).satisfies(s -> {
            assertThat(s.itemId()).isEqualTo("sku-1");
            assertThat(s.budget()).isEqualTo("9000");
            assertThat(s.industry()).isNull();
            assertThat(s.reachedScreen()).isEqualTo("ITEM");
        });
        assertThat(events.get(1).call()).satisfies(c -> {
            assertThat(c.screen()).isEmpty();
            assertThat(c.action()).isEqualTo("ping");
            assertThat(c.error()).isFalse();
        });
    }

    @Test
    void eventsOutsideTheRunsRangeAreDropped() {
        TopicEventDeserializer d = new TopicEventDeserializer(T.toEpochMilli(), T.plusSeconds(60).toEpochMilli());
        List<TopicEvent> events = read(d,
                EventJson.toBytes(transition(T.minusMillis(1))),
                EventJson.toBytes(transition(T)),
                EventJson.toBytes(transition(T.plusSeconds(60))));

        assertThat(events).extracting(TopicEvent::eventTime).containsExactly(T.toEpochMilli());
    }

    @Test
    void heartbeatsReachTheWatermarkGeneratorWithTheirTimeAndStopAtTheSplit() throws Exception {
        TopicEventDeserializer d = new TopicEventDeserializer(Long.MIN_VALUE, T.plusSeconds(1).toEpochMilli());
        List<TopicEvent> events = read(d, EventJson.toBytes(Heartbeat.of(T, 3)), EventJson.toBytes(Heartbeat.of(T.plusSeconds(5), 3)));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.eventTime()).as("its time, for the partition's watermark").isEqualTo(T.toEpochMilli());
            assertThat(e.step()).isNull();
            assertThat(e.call()).isNull();
        });

        List<Object> out = new ArrayList<>();
        new SplitByKind().processElement(events.get(0), null, new Collector<>() {
            @Override
            public void collect(io.flowgate.analytics.records.SessionStep record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        });
        assertThat(out).as("no table changes").isEmpty();
    }
}
