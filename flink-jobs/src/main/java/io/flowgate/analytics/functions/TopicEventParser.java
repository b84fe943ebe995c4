package io.flowgate.analytics.functions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.flowgate.analytics.records.EndpointCall;
import io.flowgate.analytics.records.SessionStep;
import io.flowgate.analytics.records.TopicEvent;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Heartbeat;

import java.io.IOException;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * The fast path of {@link TopicEventDeserializer}: reads a record's JSON with a streaming Jackson
 * {@link JsonParser} straight into a {@link TopicEvent}, without a tree or an event object, and parses the
 * {@code 2026-11-20T10:15:00.123Z} form of instants by hand.
 *
 * <p>It only decides what it is sure the shared {@link EventJson} mapper would decide the same way: every
 * field the mapper binds must come as the token the event's record takes (a string or null for a string, a
 * boolean for a boolean, an integer in range for a number), instants in the {@code Z} form above, the
 * {@code fields} object with string values only. Anything else (a number where a string is expected, an
 * instant with an offset, malformed JSON, a second {@code type}, a half experiment pair) throws
 * {@link Undecided}, and the caller reads the record with the mapper, exactly as before this parser. Fields
 * may come in any order; unknown fields (nested objects included) are skipped, as the mapper ignores them.
 */
final class TopicEventParser {

    /** The mapper's own factory: the same parser features and read constraints. */
    private static final JsonFactory FACTORY = EventJson.mapper().getFactory();

    /** The longest experiment id or variant name an event carries (events' {@code Experiments}). */
    private static final int MAX_NAME_LENGTH = 64;

    /** This record needs the full mapper; thrown without a stack trace. */
    static final class Undecided extends Exception {
        private static final Undecided INSTANCE = new Undecided();

        private Undecided() {
            super("the streaming parser leaves this record to the mapper", null, false, false);
        }
    }

    private TopicEventParser() {
    }

    /**
     * The analytics view of one record's value, or null when analytics cannot use it (as
     * {@link TopicEventDeserializer#toTopicEvent} decides with the mapper).
     *
     * @throws Undecided when only the mapper can say
     */
    static TopicEvent parse(byte[] value) throws Undecided {
        Fields f = new Fields();
        try (JsonParser p = FACTORY.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw Undecided.INSTANCE;
            }
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "type" -> {
                        if (f.type != null || t != JsonToken.VALUE_STRING) {
                            throw Undecided.INSTANCE;
                        }
                        f.type = p.getText();
                        if (!isAnalyticsType(f.type)) {
                            // any other type, known or not, is never an analytics event: the mapper's answer
                            // is another event or an error, and both are skipped
                            return null;
                        }
                    }
                    case "event_id" -> f.eventId = string(p, t);
                    case "event_time" -> f.eventTime = instant(p, t);
                    case "flow_id" -> f.flowId = string(p, t);
                    case "session_id" -> f.sessionId = string(p, t);
                    case "user_id" -> f.userId = string(p, t);
                    case "session_started_at" -> f.sessionStartedAt = instant(p, t);
                    case "from_screen" -> string(p, t);
                    case "to_screen" -> f.toScreen = string(p, t);
                    case "action" -> f.action = string(p, t);
                    case "fields" -> readFields(p, t, f);
                    case "completed" -> f.completed = bool(t);
                    case "handover" -> bool(t);
                    case "source" -> f.source = string(p, t);
                    case "flow_version" -> f.flowVersion = integerOrNull(p, t);
                    case "experiment_id" -> f.experimentId = string(p, t);
                    case "variant" -> f.variant = string(p, t);
                    case "screen" -> f.screen = string(p, t);
                    case "status" -> f.status = intValue(p, t);
                    case "outcome" -> string(p, t);
                    case "latency_micros" -> f.latencyMicros = longValue(p, t);
                    case "partition" -> intValue(p, t);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw Undecided.INSTANCE;
            }
        } catch (IOException e) {
            throw Undecided.INSTANCE;
        }
        return f.toTopicEvent();
    }

    private static boolean isAnalyticsType(String type) {
        return FlowTransition.TYPE.equals(type) || EndpointRequest.TYPE.equals(type) || Heartbeat.TYPE.equals(type);
    }

    /** What one record said, as the event records would hold it (instants as epoch ms, null when absent). */
    private static final class Fields {
        String type;
        String eventId;
        Long eventTime;
        String flowId;
        String sessionId;
        String userId;
        Long sessionStartedAt;
        String toScreen;
        String action;
        String itemId;
        String budget;
        String industry;
        String timeline;
        boolean completed;
        String source;
        Integer flowVersion;
        String experimentId;
        String variant;
        String screen;
        int status;
        long latencyMicros;

        TopicEvent toTopicEvent() throws Undecided {
            if (type == null) {
                return null; // the mapper cannot pick a record without a type: skipped
            }
            if (!FlowTransition.TYPE.equals(type) && !EndpointRequest.TYPE.equals(type)) {
                return eventTime == null ? null : TopicEvent.heartbeat(eventTime);
            }
            if (!validExperimentPair()) {
                throw Undecided.INSTANCE; // the event's constructor refuses it; let the mapper say so
            }
            if (FlowTransition.TYPE.equals(type)) {
                if (eventTime == null || sessionId == null || flowId == null || userId == null) {
                    return null;
                }
                return TopicEvent.of(new SessionStep(eventId, eventTime, flowId, sessionId, userId,
                        sessionStartedAt == null ? eventTime : sessionStartedAt, toScreen, completed,
                        source == null ? FlowTransition.SOURCE_FLOW : source,
                        TopicEventDeserializer.blankToNull(itemId), TopicEventDeserializer.blankToNull(budget),
                        TopicEventDeserializer.blankToNull(industry), TopicEventDeserializer.blankToNull(timeline),
                        TopicEventDeserializer.version(flowVersion), action == null ? "" : action, experimentId, variant));
            }
            if (eventTime == null || eventId == null) {
                return null;
            }
            return TopicEvent.of(new EndpointCall(eventId, eventTime, screen == null ? "" : screen,
                    action == null ? "unknown" : action, status != 200, latencyMicros,
                    TopicEventDeserializer.version(flowVersion), experimentId, variant));
        }

        private boolean validExperimentPair() {
            if (experimentId == null && variant == null) {
                return true;
            }
            return experimentId != null && variant != null && !experimentId.isEmpty() && !variant.isEmpty()
                    && experimentId.length() <= MAX_NAME_LENGTH && variant.length() <= MAX_NAME_LENGTH;
        }
    }

    private static String string(JsonParser p, JsonToken t) throws IOException, Undecided {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw Undecided.INSTANCE; // the mapper coerces scalars to strings and refuses the rest
    }

    private static boolean bool(JsonToken t) throws Undecided {
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw Undecided.INSTANCE;
    }

    private static int intValue(JsonParser p, JsonToken t) throws IOException, Undecided {
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        throw Undecided.INSTANCE;
    }

    private static Integer integerOrNull(JsonParser p, JsonToken t) throws IOException, Undecided {
        return t == JsonToken.VALUE_NULL ? null : intValue(p, t);
    }

    private static long longValue(JsonParser p, JsonToken t) throws IOException, Undecided {
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        throw Undecided.INSTANCE;
    }

    /** A transition's {@code fields}: string values only (the mapper refuses null values and objects). */
    private static void readFields(JsonParser p, JsonToken t, Fields f) throws IOException, Undecided {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw Undecided.INSTANCE;
        }
        String key;
        while ((key = p.nextFieldName()) != null) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw Undecided.INSTANCE;
            }
            switch (key) {
                case "item_id" -> f.itemId = p.getText();
                case "budget" -> f.budget = p.getText();
                case "industry" -> f.industry = p.getText();
                case "timeline" -> f.timeline = p.getText();
                default -> {
                    // a value analytics do not use; a string, so the mapper would take it too
                }
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw Undecided.INSTANCE;
        }
    }

    private static Long instant(JsonParser p, JsonToken t) throws IOException, Undecided {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw Undecided.INSTANCE;
        }
        return epochMillis(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    /**
     * Epoch milliseconds of {@code yyyy-MM-ddTHH:mm:ss[.f...]Z} (1 to 9 fraction digits, the form the events
     * are written in), rounded down as {@link java.time.Instant#toEpochMilli()} does.
     *
     * @throws Undecided for any other form (offsets, lower case, leap seconds, other year widths, invalid dates)
     */
    static long epochMillis(char[] c, int off, int len) throws Undecided {
        if (len < 20 || len > 30 || c[off + 4] != '-' || c[off + 7] != '-' || c[off + 10] != 'T'
                || c[off + 13] != ':' || c[off + 16] != ':' || c[off + len - 1] != 'Z') {
            throw Undecided.INSTANCE;
        }
        int year = digits(c, off, 4);
        int month = digits(c, off + 5, 2);
        int day = digits(c, off + 8, 2);
        int hour = digits(c, off + 11, 2);
        int minute = digits(c, off + 14, 2);
        int second = digits(c, off + 17, 2);
        if (month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour > 23 || minute > 59 || second > 59) {
            throw Undecided.INSTANCE;
        }
        int millis = 0;
        if (len > 20) {
            int fraction = len - 21; // between '.' and 'Z'
            if (c[off + 19] != '.' || fraction < 1) {
                throw Undecided.INSTANCE;
            }
            int taken = Math.min(fraction, 3);
            millis = digits(c, off + 20, taken);
            for (int i = taken; i < 3; i++) {
                millis *= 10;
            }
            digits(c, off + 20 + taken, fraction - taken); // the rest must be digits too
        }
        long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
        return seconds * 1_000L + millis;
    }

    private static int digits(char[] c, int from, int count) throws Undecided {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int d = c[i] - '0';
            if (d < 0 || d > 9) {
                throw Undecided.INSTANCE;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
