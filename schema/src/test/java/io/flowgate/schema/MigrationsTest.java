package io.flowgate.schema;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migrations are one sequence, applied strictly in order, and append-only: every migration listed in
 * {@code released-migrations.sha256} still exists under the same name with the same bytes. A change to the
 * schema is a new migration with a higher number, added to that list when it is released.
 */
class MigrationsTest {

    private static final Pattern NAME = Pattern.compile("V([1-9][0-9]*)__([a-z0-9_]+)\\.sql");

    @Test
    void versionsAreUniqueAndNamedOneWay() throws Exception {
        List<Integer> versions = new ArrayList<>();
        for (Path file : migrations()) {
            Matcher m = NAME.matcher(file.getFileName().toString());
            assertThat(m.matches()).as("migration file name %s (V<n>__<lower_snake>.sql)", file.getFileName()).isTrue();
            versions.add(Integer.parseInt(m.group(1)));
        }
        assertThat(versions).as("migration versions").doesNotHaveDuplicates().isNotEmpty();
    }

    @Test
    void releasedMigrationsAreNeverEditedRenamedOrRemoved() throws Exception {
        Map<String, String> present = new LinkedHashMap<>();
        for (Path file : migrations()) {
            present.put(file.getFileName().toString(), sha256(Files.readAllBytes(file)));
        }
        int highestReleased = 0;
        try (InputStream in = MigrationsTest.class.getResourceAsStream("/released-migrations.sha256")) {
            assertThat(in).as("released-migrations.sha256").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String digest = line.substring(0, 64);
                String name = line.substring(66).trim();
                assertThat(present).as("released migration %s is still there", name).containsKey(name);
                assertThat(present.get(name)).as("released migration %s is unchanged (write a new migration instead)", name)
                        .isEqualTo(digest);
                Matcher m = NAME.matcher(name);
                assertThat(m.matches()).isTrue();
                highestReleased = Math.max(highestReleased, Integer.parseInt(m.group(1)));
            }
        }
        for (String name : present.keySet()) {
            Matcher m = NAME.matcher(name);
            assertThat(m.matches()).isTrue();
            // a new migration can only come after every released one: strict order, no out-of-order
            if (!isListed(name)) {
                assertThat(Integer.parseInt(m.group(1))).as("new migration %s comes after the released ones", name)
                        .isGreaterThan(highestReleased);
            }
        }
    }

    private static boolean isListed(String name) throws IOException {
        try (InputStream in = MigrationsTest.class.getResourceAsStream("/released-migrations.sha256")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("  " + name + "\n");
        }
    }

    private static List<Path> migrations() throws IOException, URISyntaxException {
        URL dir = MigrationsTest.class.getResource("/db/migration/V1__flows_and_sessions.sql");
        assertThat(dir).isNotNull();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()).getParent())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList();
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
