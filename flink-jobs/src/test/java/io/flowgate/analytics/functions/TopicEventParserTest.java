package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.TopicEvent;
import io.flowgate.events.EndpointRequest;
import io.flowgate.events.EventJson;
import io.flowgate.events.FlowTransition;
import io.flowgate.events.Heartbeat;
import io.flowgate.events.StaleSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The streaming parser decides exactly as the mapper path ({@link TopicEventDeserializer#withMapper}) does:
 * records it reads itself must give the same {@link TopicEvent} (or the same skip), and everything else must be
 * left to the mapper.
 */
class TopicEventParserTest {

    private static final Instant T = Instant.parse("2026-11-20T10:15:00.123Z");

    /** JSON written with single quotes, for readability. */
    private static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    /** The parser reads the record itself, to the mapper's answer. */
    private static TopicEvent decidedAsTheMapper(byte[] value) throws Exception {
        TopicEvent expected = TopicEventDeserializer.withMapper(value);
        TopicEvent fast = TopicEventParser.parse(value);
        assertThat(fast).isEqualTo(expected);
        assertThat(TopicEventDeserializer.toTopicEvent(value)).isEqualTo(expected);
        return fast;
    }

    @Test
    void eventsAsProducersWriteThemAreReadAsTheMapperReadsThem() throws Exception {
        FlowTransition t = new FlowTransition("e1", T, "shop", "s1", "u1", T.minusSeconds(90), "WELCOME", "ITEM",
                "data_exchange", Map.of("item_id", "sku-1", "budget", " 9000 ", "industry", "", "other", "x"),
                false, false, "flow", 3, "exp-1", "b");
        assertThat(decidedAsTheMapper(EventJson.toBytes(t)).step()).satisfies(s -> {
            assertThat(s.itemId()).isEqualTo("sku-1");
            assertThat(s.budget()).isEqualTo("9000");
            assertThat(s.industry()).isNull();
            assertThat(s.sessionStartedAt()).isEqualTo(T.minusSeconds(90).toEpochMilli());
            assertThat(s.flowVersion()).isEqualTo(3);
            assertThat(s.variant()).isEqualTo("b");
        });
        decidedAsTheMapper(EventJson.toBytes(new FlowTransition("e2", T, "shop", "s1", "u1", null, "", "SUCCESS",
                null, null, true, true, null)));
        decidedAsTheMapper(EventJson.toBytes(new EndpointRequest("r1", T, "shop", "s1", "ITEM", "data_exchange", 500,
                "internal_error", 12_345, 2, "exp-1", "a")));
        decidedAsTheMapper(EventJson.toBytes(new EndpointRequest("r2", T, null, null, null, null, 200, "ok", 900)));
        assertThat(decidedAsTheMapper(EventJson.toBytes(Heartbeat.of(T, 1))).heartbeat()).isEqualTo(T.toEpochMilli());
    }

    @Test
    void fieldsInAnyOrderTheTypeLast() throws Exception {
        decidedAsTheMapper(json("{'user_id':'u1','fields':{'timeline':'now','item_id':'sku-2'},'completed':true,"
                + "'to_screen':'SUCCESS','session_id':'s1','event_time':'2026-11-20T10:15:00Z','flow_id':'f',"
                + "'event_id':'e','type':'flow_transition'}"));
        decidedAsTheMapper(json("{'latency_micros':77,'status':200,'event_time':'2026-11-20T10:15:00Z','event_id':'r',"
                + "'type':'endpoint_request'}"));
    }

    @Test
    void unknownFieldsAndNestedValuesAreSkipped() throws Exception {
        TopicEvent e = decidedAsTheMapper(json("{'type':'flow_transition','extra':{'a':[1,{'b':{'c':null}},'x'],"
                + "'d':{'type':'heartbeat','event_time':'bad'}},'event_id':'e','event_time':'2026-11-20T10:15:00Z',"
                + "'list':[[],[{}]],'flow_id':'f','session_id':'s','user_id':'u','n':1.5e300,'big':123456789012345678901234567890,"
                + "'key':'s','fields':{'note':'free','budget':'100'},'to_screen':'A'}"));
        assertThat(e.step().budget()).isEqualTo("100");
    }

    @Test
    void escapesAreDecodedAsTheMapperDoes() throws Exception {
        TopicEvent e = decidedAsTheMapper(json("{'\\u0074ype':'flow_transition','event_id':'e\\\\1','event_time':"
                + "'2026\\u002d11-20T10:15:00Z','flow_id':'f\\'q','session_id':'s\\u00e9\\n','user_id':'\\ud83d\\ude00',"
                + "'to_screen':'A\\/B','fields':{'item\\u005fid':'sku\\t1'}}"));
        assertThat(e.step().sessionId()).isEqualTo("s\u00e9\n");
        assertThat(e.step().flowId()).isEqualTo("f\"q");
        assertThat(e.step().toScreen()).isEqualTo("A/B");
        assertThat(e.step().itemId()).isEqualTo("sku\t1");
    }

    @Test
    void numbersAsGiven() throws Exception {
        TopicEvent e = decidedAsTheMapper(json("{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z',"
                + "'status':404,'latency_micros':9999999999,'flow_version':-4,'screen':'S','action':'ping','outcome':'ok'}"));
        assertThat(e.call().latencyMicros()).isEqualTo(9_999_999_999L);
        assertThat(e.call().error()).isTrue();
        assertThat(e.call().flowVersion()).isZero();
    }

    @Test
    void nullsAndMissingFieldsGiveTheMappersDefaultsOrTheSkip() throws Exception {
        decidedAsTheMapper(json("{'type':'flow_transition','event_id':null,'event_time':'2026-11-20T10:15:00Z','flow_id':'f',"
                + "'session_id':'s','user_id':'u','fields':null,'source':null,'action':null,'session_started_at':null,"
                + "'flow_version':null,'experiment_id':null,'variant':null,'to_screen':null}"));
        assertThat(decidedAsTheMapper(json("{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z',"
                + "'flow_id':'f','session_id':'s'}"))).as("no user").isNull();
        assertThat(decidedAsTheMapper(json("{'type':'flow_transition','event_id':'e','event_time':null,"
                + "'flow_id':'f','session_id':'s','user_id':'u'}"))).as("no time").isNull();
        assertThat(decidedAsTheMapper(json("{'type':'endpoint_request','event_time':'2026-11-20T10:15:00Z'}")))
                .as("no request id").isNull();
        decidedAsTheMapper(json("{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z'}"));
        assertThat(decidedAsTheMapper(json("{'type':'heartbeat','partition':0}"))).isNull();
    }

    @Test
    void otherTypesAreSkippedWithoutReadingFurther() throws Exception {
        assertThat(decidedAsTheMapper(EventJson.toBytes(new StaleSession("x", T, "f", "s", "u", "A", T, T, "flow")))).isNull();
        assertThat(decidedAsTheMapper(json("{'type':'no_such_event','event_id':'e'}"))).isNull();
        assertThat(decidedAsTheMapper(json("{'event_id':'e','event_time':'2026-11-20T10:15:00Z'}"))).isNull();
        assertThat(decidedAsTheMapper(json("{'type':'stale_session','event_id':{'broken'"))).isNull();
    }

    @Test
    void whitespaceAndAByteOrderMarkDoNotMatter() throws Exception {
        decidedAsTheMapper(json(" \n\t{ 'type' : 'heartbeat' ,\r\n 'event_time' : '2026-11-20T10:15:00.5Z' , 'partition' : 1 }\n"));
        byte[] plain = EventJson.toBytes(Heartbeat.of(T, 0));
        byte[] bom = new byte[plain.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(plain, 0, bom, 3, plain.length);
        decidedAsTheMapper(bom);
    }

    /** Records only the mapper can decide: the parser must hand them on, and the answer is the mapper's. */
    @ParameterizedTest
    @ValueSource(strings = {
            // instants in other forms than yyyy-MM-ddTHH:mm:ss[.f]Z
            "{'type':'heartbeat','event_time':'2026-11-20T12:15:00+02:00','partition':0}",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15:00z','partition':0}",
            "{'type':'heartbeat','event_time':'2026-11-20T23:59:60Z','partition':0}",
            "{'type':'heartbeat','event_time':'2026-02-30T10:15:00Z','partition':0}",
            "{'type':'heartbeat','event_time':'+12026-11-20T10:15:00Z','partition':0}",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15:00.Z','partition':0}",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15:00.1234567890Z','partition':0}",
            "{'type':'heartbeat','event_time':' 2026-11-20T10:15:00Z','partition':0}",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15Z','partition':0}",
            "{'type':'heartbeat','event_time':1763633700,'partition':0}",
            "{'type':'heartbeat','event_time':1763633700.5,'partition':0}",
            "{'type':'heartbeat','event_time':'1763633700000','partition':0}",
            "{'type':'heartbeat','event_time':'','partition':0}",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15:00Z','partition':'1'}",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15:00Z','partition':null}",
            // scalars the mapper coerces, values it refuses
            "{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z','status':'200'}",
            "{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z','status':200.0}",
            "{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z','status':3000000000}",
            "{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z','latency_micros':1e3}",
            "{'type':'endpoint_request','event_id':7,'event_time':'2026-11-20T10:15:00Z'}",
            "{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z','screen':{'a':1}}",
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','completed':'true'}",
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','completed':1}",
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','flow_version':'3'}",
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','fields':{'budget':9000}}",
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','fields':{'budget':null}}",
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','fields':['a']}",
            // the events' own rules: both experiment and variant or neither, 1 to 64 characters
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','experiment_id':'x'}",
            "{'type':'flow_transition','event_id':'e','event_time':'2026-11-20T10:15:00Z','flow_id':'f','session_id':'s','user_id':'u','experiment_id':'','variant':'a'}",
            "{'type':'endpoint_request','event_id':'r','event_time':'2026-11-20T10:15:00Z','variant':'a'}",
            // not one object, or not JSON
            "{'type':'flow_transition','type':'heartbeat','event_time':'2026-11-20T10:15:00Z'}",
            "{'type':null,'event_time':'2026-11-20T10:15:00Z'}",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15:00Z'",
            "{'type':'heartbeat','event_time':'2026-11-20T10:15:00Z',}",
            "[{'type':'heartbeat','event_time':'2026-11-20T10:15:00Z'}]",
            "'heartbeat'",
            "not json",
            ""})
    void whatOnlyTheMapperCanDecideIsLeftToIt(String singleQuoted) {
        byte[] value = json(singleQuoted);
        assertThatThrownBy(() -> TopicEventParser.parse(value)).isInstanceOf(TopicEventParser.Undecided.class);
        assertThat(TopicEventDeserializer.toTopicEvent(value)).isEqualTo(TopicEventDeserializer.withMapper(value));
    }

    @Test
    void instantsInTheZFormAreTheEpochMillisOfInstantParse() throws Exception {
        Random random = new Random(12);
        for (int i = 0; i < 20_000; i++) {
            // 1900 to 2100, every fraction width
            Instant at = Instant.ofEpochSecond(-2_208_988_800L + (long) (random.nextDouble() * 6_311_433_600L),
                    random.nextInt(1_000_000_000));
            String text = at.toString();
            int digits = random.nextInt(10);
            String cut = text.substring(0, 19) + (digits == 0 ? "" : "." + String.format("%09d", at.getNano()).substring(0, digits)) + "Z";
            assertThat(TopicEventParser.epochMillis(cut.toCharArray(), 0, cut.length()))
                    .as(cut).isEqualTo(Instant.parse(cut).toEpochMilli());
        }
        String leapDay = "x2024-02-29T00:00:00.999Z";
        assertThat(TopicEventParser.epochMillis(leapDay.toCharArray(), 1, leapDay.length() - 1))
                .isEqualTo(Instant.parse("2024-02-29T00:00:00.999Z").toEpochMilli());
    }
}
