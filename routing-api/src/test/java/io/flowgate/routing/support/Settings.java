package io.flowgate.routing.support;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.util.Map;

/** A settings record as routing-api binds it: the given values, every other setting at its {@code @DefaultValue}. */
public final class Settings {

    private Settings() {
    }

    public static <T> T bind(Class<T> type, String prefix, Map<String, ?> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate(prefix, type);
    }
}
