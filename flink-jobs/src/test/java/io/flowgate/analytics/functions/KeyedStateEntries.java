package io.flowgate.analytics.functions;

import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * numKeyedStateEntries() for the broadcast harnesses, which lack it: the keyed one-input harness counts the
 * same way, through the heap backend.
 */
final class KeyedStateEntries {

    private KeyedStateEntries() {
    }

    static int of(AbstractStreamOperatorTestHarness<?> harness) {
        return ((HeapKeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend()).numKeyValueStateEntries();
    }
}
