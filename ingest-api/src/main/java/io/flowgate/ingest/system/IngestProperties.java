package io.flowgate.ingest.system;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.Map;

/**
 * Every setting of ingest-api, bound from {@code flowgate.ingest.*}, each default given here once; the
 * environment variables that set them are in {@link IngestEnvironment}. Bad values stop the start with one
 * line naming the setting, rather than surfacing later as odd answers to Meta.
 *
 * @param appSecret         Meta app secret ({@code FLOWGATE_APP_SECRET}); blank: every POST is refused
 * @param previousAppSecret the app secret still accepted during a rotation ({@code FLOWGATE_PREVIOUS_APP_SECRET})
 * @param verifyToken       the token of the GET handshake ({@code FLOWGATE_VERIFY_TOKEN}); blank: every handshake fails
 * @param maxBodySize       the largest POST body read; Meta sends at most 3 MB, larger bodies get 413
 * @param ackTimeout        how long a POST waits for Kafka to acknowledge its records before answering 503
 * @param maxInFlight       POSTs processed at once; one more is answered 503 at once instead of queueing
 * @param kafka             where and how updates are written
 */
@ConfigurationProperties("flowgate.ingest")
@Validated
public record IngestProperties(
        String appSecret,
        String previousAppSecret,
        String verifyToken,
        // Meta sends at most 3 MB per POST; the margin keeps a body at the limit from being refused
        @DefaultValue("3584KB") DataSize maxBodySize,
        @DefaultValue("5s") @DurationMin(millis = 1) @DurationMax(seconds = 30) Duration ackTimeout,
        @DefaultValue("64") @Min(1) int maxInFlight,
        @DefaultValue @Valid Kafka kafka) {

    /** Above this a single POST could exhaust the heap; Meta's own limit is 3 MB. */
    static final DataSize MAX_BODY_SIZE_CEILING = DataSize.ofMegabytes(64);

    public IngestProperties {
        if (maxBodySize.toBytes() < 1024 || maxBodySize.compareTo(MAX_BODY_SIZE_CEILING) > 0) {
            throw new IllegalArgumentException("flowgate.ingest.max-body-size must be between 1KB and 64MB, was " + maxBodySize);
        }
    }

    /**
     * @param bootstrapServers Kafka ({@code KAFKA_BOOTSTRAP_SERVERS})
     * @param createTopics     create {@code flowgate.inbound} and its dead-letter topic at start when missing;
     *                         off where topics are managed outside the application
     * @param partitions       partitions of the topics created
     * @param startupTimeout   how long the start waits for Kafka before failing
     * @param producer         extra Kafka producer settings ({@code flowgate.ingest.kafka.producer[linger.ms]=5});
     *                         they override ingest-api's own, except the ones durability depends on
     */
    public record Kafka(
            @DefaultValue("localhost:9092") @NotBlank String bootstrapServers,
            @DefaultValue("true") boolean createTopics,
            @DefaultValue("4") @Min(1) int partitions,
            @DefaultValue("30s") @DurationMin(millis = 1) Duration startupTimeout,
            Map<String, String> producer) {

        public Kafka {
            producer = producer == null ? Map.of() : Map.copyOf(producer);
        }

        /** Producer settings may hold credentials (SASL, TLS key passwords): only their names are printed. */
        @Override
        public String toString() {
            return "Kafka[bootstrapServers=" + bootstrapServers + ", createTopics=" + createTopics
                    + ", partitions=" + partitions + ", startupTimeout=" + startupTimeout
                    + ", producer=" + new java.util.TreeSet<>(producer.keySet()) + "]";
        }
    }

    /** Whether an app secret is set; without one no POST can be verified. */
    public boolean hasAppSecret() {
        return appSecret != null && !appSecret.isBlank();
    }

    /** The secrets stay out of every log line and error message that prints this record. */
    @Override
    public String toString() {
        return "IngestProperties[appSecret=" + (hasAppSecret() ? "(set)" : "(unset)")
                + ", previousAppSecret=" + (previousAppSecret == null || previousAppSecret.isBlank() ? "(unset)" : "(set)")
                + ", verifyToken=" + (verifyToken == null || verifyToken.isBlank() ? "(unset)" : "(set)")
                + ", maxBodySize=" + maxBodySize + ", ackTimeout=" + ackTimeout + ", maxInFlight=" + maxInFlight
                + ", kafka=" + kafka + "]";
    }
}
