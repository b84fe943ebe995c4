package io.flowgate.routing.chat;

import io.flowgate.events.EventJson;
import io.flowgate.events.InboundUpdate;
import io.flowgate.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How many inbound messages per second the chat state machine processes end to end — deduplication,
 * the user's row lock, the state change, the reply queued and two events into the outbox, all in one
 * transaction per message — from a burst already on {@code flowgate.inbound} until every message has
 * its outcome recorded (consumer lag back to zero). Real broker, real PostgreSQL, one routing-api.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests install
 * ./mvnw -q -B -pl routing-api exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.flowgate.routing.chat.ChatThroughputBenchmark -Dexec.args="2000 3"
 * </pre>
 * Arguments: users (each sends a five-message conversation), runs.
 */
public final class ChatThroughputBenchmark {

    private static final String[] CONVERSATION = {"Hi", "Ana Souza", "7000", "retail", "this month"};

    private ChatThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Double> rates = new ArrayList<>();
        try (ChatTestBed bed = ChatTestBed.start();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bed.broker().bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int run = 0; run < runs; run++) {
                List<InboundUpdate> burst = new ArrayList<>();
                for (int u = 0; u < users; u++) {
                    WhatsAppUser user = new WhatsAppUser("1777" + run + String.format("%07d", u));
                    for (String text : CONVERSATION) {
                        burst.add(user.text(text));
                    }
                }
                long before = bed.jdbc().sql("SELECT count(*) FROM processed_messages").query(Long.class).single();
                long started = System.nanoTime();
                for (InboundUpdate update : burst) {
                    producer.send(new ProducerRecord<>(Topics.INBOUND, update.key(), EventJson.toBytes(update)));
                }
                producer.flush();
                long produced = System.nanoTime();
                long target = before + burst.size();
                while (bed.jdbc().sql("SELECT count(*) FROM processed_messages").query(Long.class).single() < target) {
                    Thread.sleep(20);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                bed.awaitConsumed(ChatTestBed.GROUP);
                double rate = burst.size() / seconds;
                rates.add(rate);
                System.out.printf("run %d: %d messages of %d users processed in %.2f s (produced in %.2f s): %.0f messages/s%n",
                        run + 1, burst.size(), users, seconds, (produced - started) / 1e9, rate);
            }
        }
        rates.sort(Double::compare);
        System.out.printf("median of %d runs: %.0f inbound messages/s processed end to end%n", runs, rates.get(rates.size() / 2));
        System.exit(0);
    }
}
