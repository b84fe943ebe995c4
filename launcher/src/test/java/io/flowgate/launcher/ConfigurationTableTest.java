package io.flowgate.launcher;

import io.flowgate.ingest.system.IngestEnvironment;
import io.flowgate.routing.system.RoutingEnvironment;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's configuration table cannot drift from the code: every setting of every
 * {@code @ConfigurationProperties} record of both services has its row (under its environment variable,
 * or its own name when it has none) with the record's {@code @DefaultValue}, and every row names a
 * variable or setting that exists. The services' yml files hold no Flowgate settings, so each default is
 * written once. A failure says which row to add or change, in the table's format.
 */
class ConfigurationTableTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Pattern NAME = Pattern.compile("`([A-Za-z0-9_.\\-\\[\\]]+)`");

    /** One setting of a record: its full name, its default as written on the record (null: none), its service. */
    record Setting(String name, String defaultValue, String service) {
    }

    /** One row of the table: the names in its first column and its default column. */
    record Row(List<String> names, String defaultCell) {
    }

    @Test
    void everySettingHasItsRowWithItsDefault() throws Exception {
        Map<String, String> variables = variablesBySetting();
        Map<String, Row> rows = rowsByName();
        List<String> problems = new ArrayList<>();
        for (Setting setting : settings()) {
            String key = variables.getOrDefault(setting.name(), setting.name());
            Row row = rows.get(key);
            String expected = setting.defaultValue() == null ? "none" : "`" + setting.defaultValue() + "`";
            if (row == null) {
                problems.add("no row for " + describe(setting, key) + "; add to README.md, \"## Configuration\": | `" + key
                        + "` | " + setting.service() + " | <what it does> | " + expected + " |");
            } else if (setting.defaultValue() != null && !row.defaultCell().contains(expected)) {
                problems.add("the row of " + describe(setting, key) + " does not give its default " + expected
                        + " (the record's @DefaultValue); its default column says: " + row.defaultCell());
            }
        }
        assertThat(problems).as(String.join(System.lineSeparator(), problems)).isEmpty();
    }

    @Test
    void everyRowNamesASettingOrVariableThatExists() throws Exception {
        Set<String> known = new TreeSet<>(RoutingEnvironment.SETTINGS.keySet());
        known.addAll(IngestEnvironment.SETTINGS.keySet());
        settings().forEach(setting -> known.add(setting.name()));
        String launcherAndDashboard = readSources(Path.of("src", "main", "java"), Path.of("..", "dashboards", "src", "main", "java"));

        List<String> unknown = rowsByName().keySet().stream()
                .filter(name -> !known.contains(name) && !launcherAndDashboard.contains("\"" + name + "\""))
                .sorted().toList();

        assertThat(unknown).as("README.md, \"## Configuration\", has rows for names no code reads: remove or correct them "
                + "(a service's variables are listed in RoutingEnvironment / IngestEnvironment)").isEmpty();
    }

    @Test
    void theServicesYmlFilesHoldNoFlowgateSettings() throws IOException {
        for (Path yml : List.of(Path.of("..", "routing-api", "src", "main", "resources", "application.yml"),
                Path.of("..", "ingest-api", "src", "main", "resources", "ingest-api.yml"))) {
            assertThat(Files.readAllLines(yml)).as(yml + ": a Flowgate setting's default belongs on its record "
                            + "(@DefaultValue), its environment variable in RoutingEnvironment / IngestEnvironment")
                    .noneMatch(line -> line.startsWith("flowgate:") || line.contains("${FLOWGATE_"));
        }
    }

    /** Every setting of the records annotated {@code @ConfigurationProperties} in io.flowgate, nested records flattened. */
    static List<Setting> settings() throws ClassNotFoundException {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<Setting> settings = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents("io.flowgate")) {
            Class<?> type = Class.forName(candidate.getBeanClassName());
            ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
            String service = type.getPackageName().startsWith("io.flowgate.ingest") ? "ingest-api" : "routing-api";
            if (type.isRecord()) {
                collect(type, annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix(), service, settings);
            }
        }
        assertThat(settings).as("the records were found").hasSizeGreaterThan(40);
        return settings;
    }

    private static void collect(Class<?> record, String prefix, String service, List<Setting> settings) {
        RecordComponent[] components = record.getRecordComponents();
        Parameter[] parameters = canonicalConstructor(record, components).getParameters();
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            String name = prefix + "." + DataObjectPropertyName.toDashedForm(component.getName());
            Class<?> type = component.getType();
            if (type.isRecord() && type.getName().startsWith("io.flowgate")) {
                collect(type, name, service, settings);
            } else if (!Map.class.isAssignableFrom(type)) {
                // @DefaultValue applies to the constructor's parameter, which is where the binder reads it
                DefaultValue defaultValue = parameters[i].getAnnotation(DefaultValue.class);
                settings.add(new Setting(name, defaultValue == null || defaultValue.value().length == 0 ? null
                        : String.join(",", defaultValue.value()), service));
            }
        }
    }

    private static Constructor<?> canonicalConstructor(Class<?> record, RecordComponent[] components) {
        try {
            return record.getDeclaredConstructor(Stream.of(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(record + " has no canonical constructor", e);
        }
    }

    private static Map<String, String> variablesBySetting() {
        Map<String, String> bySetting = new HashMap<>();
        RoutingEnvironment.SETTINGS.forEach((variable, setting) -> bySetting.put(setting, variable));
        IngestEnvironment.SETTINGS.forEach((variable, setting) -> bySetting.put(setting, variable));
        return bySetting;
    }

    /** The table's rows by each name in their first column. */
    static Map<String, Row> rowsByName() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Configuration\n");
        assertThat(start).as("README.md has a \"## Configuration\" section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : readme.substring(start, end < 0 ? readme.length() : end).split("\n")) {
            String[] cells = line.split("(?<!\\\\)\\|");
            if (!line.startsWith("| `") || cells.length < 5) {
                continue;
            }
            List<String> names = new ArrayList<>();
            Matcher matcher = NAME.matcher(cells[1]);
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
            Row row = new Row(names, cells[4].trim());
            names.forEach(name -> rows.put(name, row));
        }
        return rows;
    }

    private static String describe(Setting setting, String key) {
        return key.equals(setting.name()) ? setting.name() : key + " (" + setting.name() + ")";
    }

    private static String readSources(Path... roots) throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                    all.append(Files.readString(file));
                }
            }
        }
        return all.toString();
    }
}
