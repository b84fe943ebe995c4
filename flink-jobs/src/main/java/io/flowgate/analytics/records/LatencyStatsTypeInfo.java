package io.flowgate.analytics.records;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/** Tells Flink to use {@link LatencyStatsSerializer} wherever {@link LatencyStats} appears. */
public final class LatencyStatsTypeInfo extends TypeInformation<LatencyStats> {

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<LatencyStats> getTypeClass() {
        return LatencyStats.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<LatencyStats> createSerializer(SerializerConfig config) {
        return LatencyStatsSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "LatencyStats";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof LatencyStatsTypeInfo;
    }

    @Override
    public int hashCode() {
        return LatencyStatsTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof LatencyStatsTypeInfo;
    }

    /** Referenced by {@link LatencyStats}'s {@code @TypeInfo}. */
    public static final class Factory extends TypeInfoFactory<LatencyStats> {
        @Override
        public TypeInformation<LatencyStats> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new LatencyStatsTypeInfo();
        }
    }
}
