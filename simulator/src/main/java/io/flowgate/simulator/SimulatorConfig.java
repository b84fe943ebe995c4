package io.flowgate.simulator;

import io.flowgate.simulator.load.ThinkTime;
import io.flowgate.testkit.GraphApiStandIn;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a simulation runs: where Flowgate is, the secrets Meta would hold (the business public key, the
 * app secret) and the admin token a business would use, and the shape of the load. {@link #demo()} and
 * {@link #load()} start from the defaults of each mode. {@link #toString()} never shows the secrets.
 */
public final class SimulatorConfig {

    /** A steady, gentle load until stopped, or a bounded load test that ends with a report. */
    public enum Mode { DEMO, LOAD }

    private final Mode mode;
    private final URI routingApi;
    private final URI ingestApi;
    private final Path publicKey;
    private final String appSecret;
    private final String adminToken;
    private final Integer graphApiPort;
    private final GraphApiStandIn graphApi;
    private final double rate;
    private final Duration duration;
    private final int users;
    private final double chatShare;
    private final ThinkTime thinkTime;
    private final long seed;
    private final int workers;
    private final Duration drain;
    private final Duration pingInterval;
    private final String wabaId;
    private final String phoneNumberId;
    private final PrintStream out;

    private SimulatorConfig(Builder b) {
        this.mode = b.mode;
        this.routingApi = Objects.requireNonNull(b.routingApi, "routing-api URL");
        this.ingestApi = Objects.requireNonNull(b.ingestApi, "ingest-api URL");
        this.publicKey = require(b.publicKey, "the business public key (PEM) is required");
        this.appSecret = require(blankToNull(b.appSecret), "the app secret is required (requests are signed with it)");
        this.adminToken = require(blankToNull(b.adminToken), "the admin token is required (flow tokens are minted with it)");
        this.graphApiPort = b.graphApiPort;
        this.graphApi = b.graphApi;
        this.rate = b.rate;
        this.duration = b.duration;
        this.users = b.users;
        this.chatShare = b.chatShare;
        this.thinkTime = b.thinkTime;
        this.seed = b.seed;
        this.workers = b.workers;
        this.drain = b.drain;
        this.pingInterval = b.pingInterval;
        this.wabaId = b.wabaId;
        this.phoneNumberId = b.phoneNumberId;
        this.out = b.out;
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--rate must be more than 0");
        }
        if (mode == Mode.LOAD && (duration == null || duration.isZero() || duration.isNegative())) {
            throw new IllegalArgumentException("a load test needs a positive --duration");
        }
        if (users < 1) {
            throw new IllegalArgumentException("--users must be at least 1");
        }
        if (chatShare < 0 || chatShare > 1) {
            throw new IllegalArgumentException("--chat-share must be between 0 and 1");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1");
        }
        if (graphApiPort != null && graphApi != null) {
            throw new IllegalArgumentException("either a Graph API stand-in port or a running stand-in, not both");
        }
    }

    /** The demo's defaults: one user a second, a population of 200, people's think times (1 to 4 s). */
    public static Builder demo() {
        Builder b = new Builder(Mode.DEMO);
        b.rate = 1;
        b.duration = null;
        b.users = 200;
        b.thinkTime = new ThinkTime(Duration.ofSeconds(1), Duration.ofSeconds(4));
        b.workers = 8;
        return b;
    }

    /** The load test's defaults: ten users a second for a minute, a population of 1000, quick thinkers. */
    public static Builder load() {
        Builder b = new Builder(Mode.LOAD);
        b.rate = 10;
        b.duration = Duration.ofMinutes(1);
        b.users = 1000;
        b.thinkTime = new ThinkTime(Duration.ofMillis(200), Duration.ofSeconds(2));
        b.workers = 32;
        return b;
    }

    public static final class Builder {
        private final Mode mode;
        private URI routingApi = URI.create("http://localhost:8080");
        private URI ingestApi = URI.create("http://localhost:8081");
        private Path publicKey;
        private String appSecret;
        private String adminToken;
        private Integer graphApiPort;
        private GraphApiStandIn graphApi;
        private double rate;
        private Duration duration;
        private int users;
        private double chatShare = 0.3;
        private ThinkTime thinkTime;
        private long seed = System.nanoTime();
        private int workers;
        private Duration drain = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(10);
        private String wabaId = "100000000000001";
        private String phoneNumberId = "100000000000002";
        private PrintStream out;

        private Builder(Mode mode) {
            this.mode = mode;
        }

        public Builder routingApi(URI uri) {
            this.routingApi = uri;
            return this;
        }

        public Builder ingestApi(URI uri) {
            this.ingestApi = uri;
            return this;
        }

        /** The business public key as uploaded to Meta: an SPKI PEM file ({@code BEGIN PUBLIC KEY}). */
        public Builder publicKey(Path pem) {
            this.publicKey = pem;
            return this;
        }

        public Builder appSecret(String secret) {
            this.appSecret = secret;
            return this;
        }

        public Builder adminToken(String token) {
            this.adminToken = token;
            return this;
        }

        /** Starts a Graph API stand-in on this port for the run (0: any free port). */
        public Builder graphApiPort(Integer port) {
            this.graphApiPort = port;
            return this;
        }

        /** A stand-in already running (the embedded run's): chats report statuses of what Flowgate sent through it. */
        public Builder graphApi(GraphApiStandIn standIn) {
            this.graphApi = standIn;
            return this;
        }

        /** Users arriving per second. */
        public Builder rate(double perSecond) {
            this.rate = perSecond;
            return this;
        }

        /** How long users arrive in a load test; those still busy then get {@link #drain(Duration)} to finish. */
        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        /** The population: distinct users, each in at most one journey at a time. */
        public Builder users(int users) {
            this.users = users;
            return this;
        }

        /** The share of arriving users who chat (lead qualification) rather than open a Flow. */
        public Builder chatShare(double share) {
            this.chatShare = share;
            return this;
        }

        public Builder thinkTime(ThinkTime thinkTime) {
            this.thinkTime = thinkTime;
            return this;
        }

        /** The seed every user's choices derive from: the same seed makes the same users in the same order. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Worker threads: how many users can be waiting on an answer at once. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        public Builder drain(Duration drain) {
            this.drain = drain;
            return this;
        }

        /** How often Meta's health check pings the Flow endpoint. */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        public Builder wabaId(String wabaId) {
            this.wabaId = wabaId;
            return this;
        }

        public Builder phoneNumberId(String phoneNumberId) {
            this.phoneNumberId = phoneNumberId;
            return this;
        }

        /** Where a load test prints its progress line and final table; none when null. */
        public Builder out(PrintStream out) {
            this.out = out;
            return this;
        }

        /** @throws IllegalArgumentException naming what is missing or out of range */
        public SimulatorConfig build() {
            return new SimulatorConfig(this);
        }
    }

    public Mode mode() {
        return mode;
    }

    public URI routingApi() {
        return routingApi;
    }

    public URI ingestApi() {
        return ingestApi;
    }

    public Path publicKey() {
        return publicKey;
    }

    String appSecret() {
        return appSecret;
    }

    String adminToken() {
        return adminToken;
    }

    public Integer graphApiPort() {
        return graphApiPort;
    }

    GraphApiStandIn graphApi() {
        return graphApi;
    }

    public double rate() {
        return rate;
    }

    /** How long users arrive; null in demo mode (until stopped). */
    public Duration duration() {
        return duration;
    }

    public int users() {
        return users;
    }

    public double chatShare() {
        return chatShare;
    }

    public ThinkTime thinkTime() {
        return thinkTime;
    }

    public long seed() {
        return seed;
    }

    public int workers() {
        return workers;
    }

    public Duration drain() {
        return drain;
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public String wabaId() {
        return wabaId;
    }

    public String phoneNumberId() {
        return phoneNumberId;
    }

    PrintStream out() {
        return out;
    }

    /** One line for reports and logs: the shape of the load and where it goes, without secrets. */
    @Override
    public String toString() {
        String shape = mode == Mode.LOAD
                ? String.format(Locale.ROOT, "%s users/s for %s", trim(rate), human(duration))
                : String.format(Locale.ROOT, "%s users/s until stopped", trim(rate));
        return String.format(Locale.ROOT,
                "Flowgate simulator, %s: %s, population %d, chats %d %%, think %s-%s, seed %d; routing-api %s, ingest-api %s",
                mode.name().toLowerCase(Locale.ROOT), shape, users, Math.round(chatShare * 100),
                human(thinkTime.min()), human(thinkTime.max()), seed, routingApi, ingestApi);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    private static <T> T require(T value, String message) {
        if (value == null) {
            throw new IllegalArgumentException(message);
        }
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
