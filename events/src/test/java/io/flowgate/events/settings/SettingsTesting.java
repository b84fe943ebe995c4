package io.flowgate.events.settings;

import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** For the services' settings tests: a chosen system environment, and what a refused start must print. */
public final class SettingsTesting {

    private SettingsTesting() {
    }

    /** An environment whose system environment holds only {@code variables}. */
    public static StandardEnvironment withSystemEnvironment(Map<String, ?> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new HashMap<>(variables)));
        return environment;
    }

    /** The start was refused with {@code line} in Spring Boot's failure report, and no stack trace was printed. */
    public static void assertRefusedWithOneLine(String output, String line) {
        assertThat(output).contains("APPLICATION FAILED TO START").contains(System.lineSeparator() + line + System.lineSeparator())
                .doesNotContain("\tat ", "Caused by:");
    }
}
