package io.flowgate.events.settings;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A setting with a bad value stops the start with one line per bad setting, naming it, where its value came
 * from (the environment variable, the command line, the yml file) and what is wrong:
 * {@code flowgate.kafka.relay-batch-size = "0" (System Environment Property "FLOWGATE_OUTBOX_BATCH_SIZE"):
 * must be greater than or equal to 1}. Spring Boot's own report of the same failure spans a block per setting and
 * names the record by its Java type. Registered in each service's {@code META-INF/spring.factories}.
 */
public class SettingsFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

    /** Settings whose values are never printed, even when they are wrong. */
    private static final Pattern SECRET = Pattern.compile("secret|token|password|passphrase|private-key");

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BindException failure) {
        List<String> lines = new ArrayList<>();
        BindValidationException validation = findCause(failure, BindValidationException.class);
        if (validation != null) {
            String prefix = validation.getValidationErrors().getName().toString();
            for (ObjectError error : validation.getValidationErrors()) {
                if (error instanceof FieldError field) {
                    lines.add(line(prefix + "." + DataObjectPropertyName.toDashedForm(field.getField()),
                            field.getRejectedValue(), Origin.from(field), error.getDefaultMessage()));
                } else {
                    lines.add(prefix + ": " + error.getDefaultMessage());
                }
            }
        } else {
            // a value that does not convert ("abc" for a duration) names its property; a check in the record's
            // constructor names the setting in its own message
            ConfigurationProperty property = failure.getProperty();
            boolean conversion = findCause(failure, ConversionFailedException.class) != null;
            Throwable reason = failure.getCause() == null ? failure : failure.getCause();
            while (reason.getCause() != null && reason.getCause() != reason) {
                reason = reason.getCause();
            }
            lines.add(property != null && conversion
                    ? line(property.getName().toString(), property.getValue(), property.getOrigin(), reason.getMessage())
                    : failure.getName() + ": " + reason.getMessage());
        }
        return new FailureAnalysis(String.join(System.lineSeparator(), lines),
                "Correct the setting (README, \"Configuration\", lists each with its environment variable, meaning and default).",
                failure);
    }

    private static String line(String setting, Object value, Origin origin, String problem) {
        Object shown = SECRET.matcher(setting).find() ? "(hidden)" : "\"" + value + "\"";
        return setting + " = " + shown + (origin == null ? "" : " (" + origin + ")") + ": " + problem;
    }

    /** Before Spring Boot's own analyzers of the same failures. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
