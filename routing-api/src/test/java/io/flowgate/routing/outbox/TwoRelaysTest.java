package io.flowgate.routing.outbox;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.FlowTransition;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every routing-api instance runs a relay; on one database they publish each event once, in key order. */
class TwoRelaysTest {

    private static final int WRITERS = 4;
    private static final int SESSIONS_PER_WRITER = 3;
    private static final int STEPS = 25;

    @RegisterExtension
    static final KafkaBrokerExtension kafka = KafkaBrokerExtension.withTopics();

    private final EmbeddedKafkaBroker broker = kafka.broker();
    private final TopicReader transitions = kafka.transitions();

    @Test
    void twoRelaysPublishEveryEventOnceInKeyOrderAndTheSurvivorTakesOver() throws Exception {
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        try (OutboxApp a = OutboxApp.start(broker.bootstrapServers()); OutboxApp b = a.sibling()) {
            a.awaitKafkaAvailable();
            b.awaitKafkaAvailable();
            await().atMost(10, TimeUnit.SECONDS).until(() -> isActive(a) ^ isActive(b));
            OutboxApp active = isActive(a) ? a : b;
            OutboxApp standby = active == a ? b : a;

            // both instances take requests: steps of one session alternate between them
            write("both", ids, step -> step % 2 == 0 ? a : b);
            // then the instance holding the relay role goes away while the other keeps committing
            ExecutorService background = Executors.newSingleThreadExecutor();
            Future<?> later = background.submit(() -> {
                write("survivor", ids, step -> standby);
                return null;
            });
            active.close();
            later.get(60, TimeUnit.SECONDS);
            background.shutdown();

            assertThat(ids).hasSize(2 * WRITERS * SESSIONS_PER_WRITER * STEPS);
            transitions.awaitEventIds(ids, Duration.ofSeconds(60));
            Map<String, Long> counts = transitions.countByEventId();
            assertThat(ids).allSatisfy(id -> assertThat(counts.get(id)).as(id).isEqualTo(1L));
            transitions.byKey(ids).forEach((session, records) ->
                    assertThat(records.stream().map(OutboxApp::stepOf).toList()).as(session)
                            .containsExactlyElementsOf(IntStream.range(0, STEPS).boxed().toList()));
            // the survivor takes the relay role within a poll interval of the other's close
            await().atMost(10, TimeUnit.SECONDS).until(() -> isActive(standby));
            await().atMost(10, TimeUnit.SECONDS).until(() -> standby.outboxRows() == 0);
        }
    }

    /** {@link #WRITERS} threads, each committing the steps of its own sessions in order. */
    private static void write(String phase, List<String> ids, IntFunction<OutboxApp> via) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                for (int step = 0; step < STEPS; step++) {
                    for (int s = 0; s < SESSIONS_PER_WRITER; s++) {
                        FlowTransition event = via.apply(step).commitStep(phase + "-" + writer + "-" + s, step);
                        ids.add(event.eventId());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : writers) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    private static boolean isActive(OutboxApp app) {
        return app.bean(OutboxRelay.class).isActive();
    }
}
