package io.flowgate.analytics.records;

import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;

/**
 * Serializes {@link LatencyStats} as three longs and the histogram's compressed encoding (typically a few
 * hundred bytes), so window and evaluator state checkpoint cheaply. Versioned through its snapshot.
 */
public final class LatencyStatsSerializer extends TypeSerializerSingleton<LatencyStats> {

    static final LatencyStatsSerializer INSTANCE = new LatencyStatsSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public LatencyStats createInstance() {
        return new LatencyStats();
    }

    @Override
    public LatencyStats copy(LatencyStats from) {
        return from.copy();
    }

    @Override
    public LatencyStats copy(LatencyStats from, LatencyStats reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(LatencyStats record, DataOutputView target) throws IOException {
        target.writeLong(record.requests());
        target.writeLong(record.errors());
        target.writeLong(record.maxMicros());
        Histogram h = record.histogram();
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        target.writeInt(length);
        target.write(buffer.array(), 0, length);
    }

    @Override
    public LatencyStats deserialize(DataInputView source) throws IOException {
        long requests = source.readLong();
        long errors = source.readLong();
        long maxMicros = source.readLong();
        byte[] encoded = new byte[source.readInt()];
        source.readFully(encoded);
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(encoded), 0);
            h.setAutoResize(true);
            return new LatencyStats(requests, errors, maxMicros, h);
        } catch (DataFormatException e) {
            throw new IOException("corrupt latency histogram in state", e);
        }
    }

    @Override
    public LatencyStats deserialize(LatencyStats reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.writeLong(source.readLong());
        target.writeLong(source.readLong());
        target.writeLong(source.readLong());
        int length = source.readInt();
        target.writeInt(length);
        target.write(source, length);
    }

    @Override
    public TypeSerializerSnapshot<LatencyStats> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from checkpoints; stateless, so only its version matters. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<LatencyStats> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
