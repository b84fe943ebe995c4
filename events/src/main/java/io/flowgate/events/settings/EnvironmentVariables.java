package io.flowgate.events.settings;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service's environment variables, each the one setting it sets ({@code FLOWGATE_OUTBOX_BATCH_SIZE} is
 * {@code flowgate.kafka.relay-batch-size}). The names operators know do not follow Spring's relaxed binding,
 * so each service lists them once, in its subclass; the defaults are not here but on the
 * {@code @ConfigurationProperties} records ({@code @DefaultValue}), and a variable that is unset or blank
 * leaves the setting at its default. The values rank with the environment: above the service's yml file,
 * below command-line arguments. A bad value is reported under the variable's name
 * ({@link SettingsFailureAnalyzer}).
 *
 * <p>Subclasses are registered in the service's {@code META-INF/spring.factories}; as both services share
 * one class path in the embedded run, each applies only to its own application class.
 */
public abstract class EnvironmentVariables implements EnvironmentPostProcessor {

    private final Class<?> application;
    private final Map<String, String> settings;

    /** @param settings environment variable → setting, in the order the README lists them */
    protected EnvironmentVariables(Class<?> application, Map<String, String> settings) {
        this.application = application;
        this.settings = Map.copyOf(settings);
    }

    /** Environment variable → the setting it sets. */
    public Map<String, String> settings() {
        return settings;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication springApplication) {
        PropertySource<?> system = environment.getPropertySources().get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        if (system == null || !springApplication.getAllSources().contains(application)) {
            return;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> variables = new LinkedHashMap<>();
        settings.forEach((variable, setting) -> {
            Object value = system.getProperty(variable);
            if (value != null && !value.toString().isBlank()) {
                values.put(setting, value);
                variables.put(setting, variable);
            }
        });
        environment.getPropertySources().addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new Mapped(application.getSimpleName() + " environment variables", values, variables));
    }

    /** The mapped values; each says which variable it came from, so a bad value is reported under that name. */
    private static final class Mapped extends MapPropertySource implements OriginLookup<String> {
        private final Map<String, String> variables;

        Mapped(String name, Map<String, Object> values, Map<String, String> variables) {
            super(name, values);
            this.variables = variables;
        }

        @Override
        public Origin getOrigin(String setting) {
            String variable = variables.get(setting);
            return variable == null ? null : new SystemEnvironmentOrigin(variable);
        }
    }
}
