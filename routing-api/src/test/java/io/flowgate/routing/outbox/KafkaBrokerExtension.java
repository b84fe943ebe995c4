package io.flowgate.routing.outbox;

import io.flowgate.embedded.EmbeddedKafkaBroker;
import io.flowgate.events.Topics;
import io.flowgate.testkit.TopicReader;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real in-process Kafka broker per test class, a reader of {@code flowgate.transitions} from its
 * beginning and, if asked for, a routing-api started against it. Register it as a static
 * {@code @RegisterExtension} field.
 */
final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private final boolean withApp;
    private EmbeddedKafkaBroker broker;
    private OutboxApp app;
    private TopicReader transitions;

    private KafkaBrokerExtension(boolean withApp) {
        this.withApp = withApp;
    }

    /** A broker and one routing-api, which creates the topics (the broker alone would make 1-partition ones). */
    static KafkaBrokerExtension withApp() {
        return new KafkaBrokerExtension(true);
    }

    /** A broker with the topics created up front; the tests start their own routing-api instances. */
    static KafkaBrokerExtension withTopics() {
        return new KafkaBrokerExtension(false);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedKafkaBroker.start(1);
        if (withApp) {
            app = OutboxApp.start(broker.bootstrapServers());
            app.awaitKafkaAvailable();
        } else {
            broker.createTopics(Topics.ALL, 4);
        }
        transitions = TopicReader.fromBeginning(broker.bootstrapServers(), Topics.TRANSITIONS);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (transitions != null) {
            transitions.close();
        }
        if (app != null) {
            app.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    EmbeddedKafkaBroker broker() {
        return broker;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    OutboxApp app() {
        return app;
    }

    TopicReader transitions() {
        return transitions;
    }
}
