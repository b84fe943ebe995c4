package io.flowgate.analytics;

import io.flowgate.analytics.records.TopicEvent;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;

/** Slows reading down so that a small topic spans several checkpoints, as a real stream would. */
final class ThrottledDeserializer implements KafkaRecordDeserializationSchema<TopicEvent> {

    private final KafkaRecordDeserializationSchema<TopicEvent> delegate;
    private final long millisPerRecord;

    ThrottledDeserializer(KafkaRecordDeserializationSchema<TopicEvent> delegate, long millisPerRecord) {
        this.delegate = delegate;
        this.millisPerRecord = millisPerRecord;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        delegate.open(context);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<TopicEvent> out) throws IOException {
        try {
            Thread.sleep(millisPerRecord);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        delegate.deserialize(record, out);
    }

    @Override
    public TypeInformation<TopicEvent> getProducedType() {
        return delegate.getProducedType();
    }
}
