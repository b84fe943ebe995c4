package io.flowgate.simulator;

import io.flowgate.simulator.load.ThinkTime;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * Reads the simulator's command line: the mode, then options, each falling back to an environment
 * variable and then to what the embedded run keeps in {@code $FLOWGATE_HOME} (the public key and the
 * generated secrets), so {@code simulator load} just works beside {@code ./flowgate}.
 */
final class CommandLine {

    static final String USAGE = """
            Usage: simulator <demo|load> [options]

            Plays Meta and WhatsApp users against a running Flowgate over HTTP: Flow users walk the
            device_repair Flow (minted tokens, think times, drop-offs, double taps, back presses, expired
            tokens), chat leads send signed webhooks to ingest-api (duplicates, reordering, statuses).

              demo   a steady, gentle load until Ctrl-C
              load   a bounded load test: a progress line every second, a table at the end;
                     exits 1 when a request failed or an answer was not what the scenario predicts

            Options (environment variable in brackets):
              --routing-api URL    routing-api base URL [FLOWGATE_ROUTING_API_URL] (http://localhost:8080)
              --ingest-api URL     ingest-api base URL [FLOWGATE_INGEST_API_URL] (http://localhost:8081)
              --public-key PATH    business public key, SPKI PEM [FLOWGATE_PUBLIC_KEY]
                                   ($FLOWGATE_HOME/keys/public.pem of the embedded run)
              --app-secret S       Meta app secret that signs requests [FLOWGATE_APP_SECRET]
              --admin-token T      routing-api admin token, mints flow tokens [FLOWGATE_ADMIN_TOKEN]
                                   (both default to $FLOWGATE_HOME/secrets.properties; prefer the
                                   environment to the command line, which other users can see)
              --graph-port P       run a Graph API stand-in on port P for this run, 0 for any free port
                                   [FLOWGATE_SIM_GRAPH_PORT] (none); point FLOWGATE_GRAPH_API_URL at it
              --rate R             users arriving per second (demo 1, load 10)
              --duration D         load: how long users arrive, e.g. 30s, 5m (60s); then up to --drain
                                   for the busy ones to finish (30s)
              --users U            population: distinct users, each in one journey at a time (demo 200,
                                   load 1000)
              --chat-share F       share of users who chat instead of opening a Flow, 0 to 1 (0.3)
              --think MIN-MAX      think time between taps, e.g. 200ms-2s (demo 1s-4s, load 200ms-2s)
              --seed N             random seed; the same seed makes the same users (random, printed)
              --workers N          users waiting on an answer at once (demo 8, load 32)
              --drain D            load: how long busy users may finish after the arrivals (30s)
              --phone-number-id ID business phone number id in webhooks [FLOWGATE_PHONE_NUMBER_ID]
              --help               this text

            FLOWGATE_HOME (.flowgate) is where the embedded run keeps its keys and secrets.
            """;

    private CommandLine() {
    }

    /** Thrown for a command line that cannot run; the message says why. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** The configuration, still to be built, or null when help was asked for. */
    static SimulatorConfig.Builder parse(String[] args, Map<String, String> env) throws UsageException {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
            return null;
        }
        SimulatorConfig.Builder b = switch (args[0]) {
            case "demo" -> SimulatorConfig.demo();
            case "load" -> SimulatorConfig.load();
            default -> throw new UsageException("unknown mode " + args[0] + ": demo or load");
        };
        Path home = Path.of(env.getOrDefault("FLOWGATE_HOME", ".flowgate"));
        Properties secrets = localSecrets(home);
        String publicKey = env.getOrDefault("FLOWGATE_PUBLIC_KEY", home.resolve("keys").resolve("public.pem").toString());
        b.publicKey(Path.of(publicKey));
        b.appSecret(env.getOrDefault("FLOWGATE_APP_SECRET", secrets.getProperty("app_secret")));
        b.adminToken(env.getOrDefault("FLOWGATE_ADMIN_TOKEN", secrets.getProperty("admin_token")));
        if (env.containsKey("FLOWGATE_ROUTING_API_URL")) {
            b.routingApi(uri(env.get("FLOWGATE_ROUTING_API_URL")));
        }
        if (env.containsKey("FLOWGATE_INGEST_API_URL")) {
            b.ingestApi(uri(env.get("FLOWGATE_INGEST_API_URL")));
        }
        if (env.containsKey("FLOWGATE_SIM_GRAPH_PORT")) {
            b.graphApiPort(number(env.get("FLOWGATE_SIM_GRAPH_PORT"), "FLOWGATE_SIM_GRAPH_PORT", Integer::parseInt));
        }
        if (env.containsKey("FLOWGATE_PHONE_NUMBER_ID")) {
            b.phoneNumberId(env.get("FLOWGATE_PHONE_NUMBER_ID"));
        }
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            if ("--help".equals(option) || "-h".equals(option)) {
                return null;
            }
            String value;
            int eq = option.indexOf('=');
            if (eq > 0) {
                value = option.substring(eq + 1);
                option = option.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException(option + " needs a value");
            }
            switch (option) {
                case "--routing-api" -> b.routingApi(uri(value));
                case "--ingest-api" -> b.ingestApi(uri(value));
                case "--public-key" -> b.publicKey(Path.of(value));
                case "--app-secret" -> b.appSecret(value);
                case "--admin-token" -> b.adminToken(value);
                case "--graph-port" -> b.graphApiPort(number(value, option, Integer::parseInt));
                case "--rate" -> b.rate(number(value, option, Double::parseDouble));
                case "--duration" -> b.duration(duration(value, option));
                case "--users" -> b.users(number(value, option, Integer::parseInt));
                case "--chat-share" -> b.chatShare(number(value, option, Double::parseDouble));
                case "--think" -> b.thinkTime(thinkTime(value));
                case "--seed" -> b.seed(number(value, option, Long::parseLong));
                case "--workers" -> b.workers(number(value, option, Integer::parseInt));
                case "--drain" -> b.drain(duration(value, option));
                case "--phone-number-id" -> b.phoneNumberId(value);
                default -> throw new UsageException("unknown option " + option);
            }
        }
        return b;
    }

    /** The embedded run's generated secrets, if it has run here; empty otherwise. */
    private static Properties localSecrets(Path home) {
        Properties secrets = new Properties();
        Path file = home.resolve("secrets.properties");
        if (Files.isReadable(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                secrets.load(in);
            } catch (IOException e) {
                // the options and environment may still provide everything; build() says what is missing
            }
        }
        return secrets;
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or plain seconds. */
    static Duration duration(String text, String option) throws UsageException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            char unit = t.charAt(t.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new UsageException(option + ": " + text + " is not a duration (500ms, 30s, 5m, 1h)");
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new UsageException(option + ": " + text + " is not a duration (500ms, 30s, 5m, 1h)");
        }
    }

    private static ThinkTime thinkTime(String text) throws UsageException {
        int dash = text.indexOf('-');
        if (dash < 0) {
            Duration d = duration(text, "--think");
            return new ThinkTime(d, d);
        }
        try {
            return new ThinkTime(duration(text.substring(0, dash), "--think"), duration(text.substring(dash + 1), "--think"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--think: " + e.getMessage());
        }
    }

    private static URI uri(String text) throws UsageException {
        try {
            URI uri = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UsageException(text + " is not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new UsageException(text + " is not a URL");
        }
    }

    private static <T> T number(String text, String option, Function<String, T> parse) throws UsageException {
        try {
            return parse.apply(text.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": " + text + " is not a number");
        }
    }
}
