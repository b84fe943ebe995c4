package io.flowgate.analytics;

import io.flowgate.analytics.functions.AlertRulesReader;
import io.flowgate.analytics.functions.ExperimentsReader;
import io.flowgate.analytics.functions.InventoryReader;
import io.flowgate.analytics.functions.TopicEventDeserializer;
import io.flowgate.analytics.records.AlertRules;
import io.flowgate.analytics.records.ExperimentDefinitions;
import io.flowgate.analytics.records.InventorySnapshot;
import io.flowgate.analytics.records.TopicEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Duration;

/**
 * Where the jobs read from: the transitions topic, and PostgreSQL tables re-read while the job runs
 * (alert rules, inventory, experiments). Tests hand {@link AnalyticsJobs} their own (bounded) sources; production wiring
 * is {@link #production(AnalyticsOptions)}.
 */
public record AnalyticsSources(
        Source<TopicEvent, ?, ?> transitions,
        Source<AlertRules, ?, ?> alertRules,
        Source<InventorySnapshot, ?, ?> inventory,
        Source<ExperimentDefinitions, ?, ?> experiments) {

    private static final Duration PARTITION_DISCOVERY = Duration.ofSeconds(10);

    public static AnalyticsSources production(AnalyticsOptions options) {
        return new AnalyticsSources(transitions(options).build(),
                tablePoller(new AlertRulesReader(options.jdbcUrl(), options.jdbcUser(), options.jdbcPassword()),
                        options, TypeInformation.of(AlertRules.class)),
                tablePoller(new InventoryReader(options.jdbcUrl(), options.jdbcUser(), options.jdbcPassword()),
                        options, TypeInformation.of(InventorySnapshot.class)),
                tablePoller(new ExperimentsReader(options.jdbcUrl(), options.jdbcUser(), options.jdbcPassword()),
                        options, TypeInformation.of(ExperimentDefinitions.class)));
    }

    /**
     * The transitions topic as the options describe it: from the committed offsets (earliest for a new
     * group) when streaming; from {@code --from} (or the beginning) to {@code --to} plus {@code --range-slack}
     * (or the end at start-up) when bounded. Kafka offsets are found by publish time, which is never before
     * the event time, hence the slack at the end; the exact event-time range is applied after reading.
     */
    public static KafkaSourceBuilder<TopicEvent> transitions(AnalyticsOptions options) {
        KafkaSourceBuilder<TopicEvent> builder = KafkaSource.<TopicEvent>builder()
                .setBootstrapServers(options.kafkaBootstrap())
                .setTopics(options.topic())
                .setGroupId(options.groupId())
                .setClientIdPrefix(options.groupId())
                .setDeserializer(new TopicEventDeserializer(options.fromMillis(), options.toMillis()));
        if (options.from() != null) {
            builder.setStartingOffsets(OffsetsInitializer.timestamp(options.from().toEpochMilli()));
        } else if (options.bounded()) {
            builder.setStartingOffsets(OffsetsInitializer.earliest());
        } else {
            builder.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        }
        if (!options.bounded()) {
            // a topic created (or given partitions) after the job started is read within seconds, from its
            // beginning (the connector's initializer for new partitions), not after Kafka's default 5 minutes
            builder.setProperty(KafkaSourceOptions.PARTITION_DISCOVERY_INTERVAL_MS.key(),
                    Long.toString(PARTITION_DISCOVERY.toMillis()));
        }
        if (options.to() != null) {
            builder.setBounded(OffsetsInitializer.timestamp(options.to().plus(options.rangeSlack()).toEpochMilli()));
        } else if (options.batch()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder;
    }

    /**
     * A table read once per {@code --reference-poll-interval}; read once only in a bounded run (so the job
     * ends) or when the interval is 0.
     */
    static <T> Source<T, ?, ?> tablePoller(GeneratorFunction<Long, T> reader, AnalyticsOptions options,
                                           TypeInformation<T> type) {
        long intervalMillis = options.referencePollInterval().toMillis();
        boolean once = options.bounded() || intervalMillis <= 0;
        return new DataGeneratorSource<>(reader, once ? 1 : Long.MAX_VALUE,
                once ? RateLimiterStrategy.noOp() : RateLimiterStrategy.perSecond(1000.0 / intervalMillis), type);
    }
}
