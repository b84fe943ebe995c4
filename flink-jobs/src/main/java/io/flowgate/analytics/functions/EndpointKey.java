package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.EndpointCall;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Keys endpoint requests by (screen, action). A Tuple2 rather than a record, because Flink places keys by
 * their hashCode and Tuple2's is specified, so savepoints survive JVM upgrades.
 */
public final class EndpointKey implements KeySelector<EndpointCall, Tuple2<String, String>> {

    public static final TypeInformation<Tuple2<String, String>> TYPE = Types.TUPLE(Types.STRING, Types.STRING);

    @Override
    public Tuple2<String, String> getKey(EndpointCall call) {
        return Tuple2.of(call.screen(), call.action());
    }
}
