package io.flowgate.analytics;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a sink and throws once, on the first write after its writers have flushed for two checkpoints,
 * so the failure lands mid-stream with a completed checkpoint to restore from ({@link #onFirstWrite}: on
 * the very first write, for batch runs, which take no checkpoints; {@link #afterCommittingItsFirstRow}: in the
 * checkpoint that would commit its first element, after the delegate flushed it, so the element's effect is
 * done and the job restores from before it). JVM-wide flags: the
 * MiniCluster runs its tasks in the test's JVM, and the failure must not repeat after the restart.
 */
final class FailOnceSink<T> implements Sink<T> {

    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicInteger CHECKPOINT_FLUSHES = new AtomicInteger();
    /** The checkpoint a writer was restored from after the failure; 0 while none was. */
    static final AtomicLong RESTORED_FROM = new AtomicLong();

    private final Sink<T> delegate;
    private final int flushesBeforeFailure;
    private final boolean afterFlush;

    FailOnceSink(Sink<T> delegate) {
        this(delegate, 2);
    }

    FailOnceSink(Sink<T> delegate, int flushesBeforeFailure) {
        this(delegate, flushesBeforeFailure, false);
    }

    private FailOnceSink(Sink<T> delegate, int flushesBeforeFailure, boolean afterFlush) {
        this.delegate = delegate;
        this.flushesBeforeFailure = flushesBeforeFailure;
        this.afterFlush = afterFlush;
    }

    /**
     * Fails the checkpoint that flushes the sink's first element, after the delegate wrote it: the element's
     * effect (a row, an event) is done, the checkpoint is not, and the job restores from the one before, so
     * the element comes again. A streaming job needs a completed checkpoint before that element.
     */
    static <T> FailOnceSink<T> afterCommittingItsFirstRow(Sink<T> delegate) {
        return new FailOnceSink<>(delegate, Integer.MAX_VALUE, true);
    }

    static <T> FailOnceSink<T> onFirstWrite(Sink<T> delegate) {
        return new FailOnceSink<>(delegate, 0);
    }

    static void reset() {
        FAILED.set(false);
        CHECKPOINT_FLUSHES.set(0);
        RESTORED_FROM.set(0);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        context.getRestoredCheckpointId().ifPresent(RESTORED_FROM::set);
        SinkWriter<T> writer = delegate.createWriter(context);
        return new SinkWriter<>() {
            private boolean written;

            @Override
            public void write(T element, Context ctx) throws IOException, InterruptedException {
                if (CHECKPOINT_FLUSHES.get() >= flushesBeforeFailure && FAILED.compareAndSet(false, true)) {
                    throw new IOException("injected failure: the task dies once, mid-stream");
                }
                writer.write(element, ctx);
                written = true;
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
                if (!endOfInput) {
                    CHECKPOINT_FLUSHES.incrementAndGet();
                    if (afterFlush && written && FAILED.compareAndSet(false, true)) {
                        throw new IOException("injected failure: the task dies once, after its first row was written");
                    }
                }
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }
}
