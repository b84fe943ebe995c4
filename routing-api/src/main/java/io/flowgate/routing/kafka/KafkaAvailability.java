package io.flowgate.routing.kafka;

import io.flowgate.events.TopicDefinition;
import io.flowgate.events.TopicSetup;
import io.flowgate.events.Topics;
import io.flowgate.routing.system.worker.Worker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Whether Kafka can be reached, watched from one background thread, and the topics of {@link Topics#DEFINITIONS}
 * created as soon as it can. Kafka's own clients retry an unreachable broker forever and log a warning
 * on every attempt (about once a second per client); routing-api must start, serve and stay quiet
 * without Kafka, so the relay and the publisher create and use no client while a plain TCP connection to
 * the bootstrap servers fails. One warning is logged when Kafka goes away, one line when it is back.
 */
@Component
class KafkaAvailability extends Worker implements KafkaStatus {

    private static final Logger log = LoggerFactory.getLogger(KafkaAvailability.class);
    private static final int CONNECT_TIMEOUT_MS = 1000;
    private static final Duration CHECK_WHILE_DOWN = Duration.ofSeconds(1);
    private static final Duration CHECK_WHILE_UP = Duration.ofSeconds(2);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaProperties properties;
    private final List<Runnable> onAvailable = new CopyOnWriteArrayList<>();
    private final List<Runnable> onUnavailable = new CopyOnWriteArrayList<>();
    private final Object signal = new Object();
    private volatile boolean available;
    // watcher thread only
    private boolean topicsReady;
    private boolean reported;
    private long downSinceNanos;

    KafkaAvailability(KafkaProperties properties, MeterRegistry registry) {
        super("flowgate-kafka-watch", log, CHECK_WHILE_UP, CHECK_WHILE_DOWN, ADMIN_TIMEOUT, ADMIN_TIMEOUT);
        this.properties = properties;
        Gauge.builder("flowgate.kafka.available", this, k -> k.available ? 1 : 0)
                .description("1 when Kafka is reachable and the topics exist, else 0")
                .register(registry);
    }

    @Override
    public String bootstrapServers() {
        return properties.bootstrapServers();
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    @Override
    public boolean awaitAvailable(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (signal) {
            while (!available && running()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, left);
            }
        }
        return available;
    }

    /**
     * Runs {@code listener} on the watcher thread each time Kafka becomes available (also the first time),
     * before {@link #isAvailable()} says so.
     */
    void onAvailable(Runnable listener) {
        onAvailable.add(listener);
    }

    /**
     * Runs {@code listener} on the watcher thread each time Kafka stops being available: the moment to close
     * idle clients, which would otherwise retry (and log) about once a second for the whole outage.
     */
    @Override
    public void onUnavailable(Runnable listener) {
        onUnavailable.add(listener);
    }

    @Override
    protected void unblock() {
        synchronized (signal) {
            signal.notifyAll();
        }
        interruptThread();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    protected Step step() {
        String problem = reachable() ? null : "no TCP connection to " + properties.bootstrapServers();
        if (problem == null && !topicsReady) {
            problem = createTopics();
            topicsReady = problem == null;
        }
        changeTo(problem == null, problem);
        return Step.idleFor(available ? CHECK_WHILE_UP : CHECK_WHILE_DOWN);
    }

    @Override
    protected String failureMessage(Throwable cause) {
        return "the Kafka watch failed (" + cause + ")";
    }

    @Override
    protected String recoveryMessage() {
        return "the Kafka watch works again";
    }

    @Override
    protected boolean isBug(Throwable cause) {
        return true; // its own outages it reports itself: an exception here is unexpected
    }

    private void changeTo(boolean nowAvailable, String problem) {
        if (nowAvailable == available && reported) {
            return;
        }
        if (nowAvailable) {
            if (reported) {
                log.info("Kafka at {} is reachable again after {} s; the outbox relay catches up",
                        properties.bootstrapServers(), (System.nanoTime() - downSinceNanos) / 1_000_000_000);
            } else {
                log.info("Kafka at {} is reachable; topics ready", properties.bootstrapServers());
            }
        } else {
            downSinceNanos = System.nanoTime();
            log.warn("Kafka at {} is not available ({}): transition events wait in the outbox table, "
                    + "endpoint events are dropped until it is back; checking every {} s",
                    properties.bootstrapServers(), problem, CHECK_WHILE_DOWN.toSeconds());
        }
        reported = true;
        // clients are set up before anyone is told Kafka is there, and told it is gone before they are closed
        if (nowAvailable) {
            runAll(onAvailable);
        }
        synchronized (signal) {
            available = nowAvailable;
            signal.notifyAll();
        }
        if (!nowAvailable) {
            runAll(onUnavailable);
        }
    }

    private static void runAll(List<Runnable> listeners) {
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("Kafka availability listener failed: {}", e.toString());
            }
        }
    }

    /** A TCP connection to any bootstrap server: silent, unlike a Kafka client, when nothing listens. */
    private boolean reachable() {
        for (String server : properties.bootstrapServers().split(",")) {
            String trimmed = server.trim();
            String host = Utils.getHost(trimmed);
            Integer port = Utils.getPort(trimmed);
            if (host == null || port == null) {
                continue;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return true;
            } catch (IOException | IllegalArgumentException | SecurityException e) {
                // try the next bootstrap server
            }
        }
        return false;
    }

    /**
     * Creates the missing topics as {@link Topics#DEFINITIONS} describes them and checks the existing ones
     * (one warning per difference); returns null when they are ready, else why not (retried next check).
     */
    private String createTopics() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, properties.bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "flowgate-routing-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis() / 2,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        List<TopicDefinition> wanted = Topics.DEFINITIONS.stream()
                .map(topic -> topic.withPartitions(properties.topicPartitions())).toList();
        try (Admin admin = Admin.create(config)) {
            TopicSetup.ensure(admin, wanted, ADMIN_TIMEOUT);
            return null;
        } catch (TopicSetup.TopicSetupException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "cannot create topics: " + e;
        }
    }
}
