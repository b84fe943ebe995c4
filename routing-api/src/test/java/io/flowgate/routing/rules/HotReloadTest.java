package io.flowgate.routing.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.routing.examples.DeviceRepairExample;
import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.flowgate.routing.testclient.WhatsAppFlowClient.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A rule or routing-table change made through one instance is in effect on another within a second. */
class HotReloadTest {

    @Test
    void secondInstanceSeesRuleAndTableChangesWithinASecond() {
        try (RoutingApiInstance a = RoutingApiInstance.builder().start(); RoutingApiInstance b = a.sibling()) {
            new DeviceRepairExample(a.uri("/"), RoutingApiInstance.ADMIN_TOKEN).install();
            assertThat(routeOnB(b, "15550000001")).isEqualTo("EXPRESS_SCHEDULE");

            // disable the premium rule through instance A
            var rules = a.admin("GET", "/api/flows/" + DeviceRepairExample.FLOW_ID + "/rules", null).json().path("rules");
            for (var rule : rules) {
                if (rule.path("name").asText().equals("premium to the express desk")) {
                    ObjectNode disabled = rule.deepCopy();
                    disabled.put("enabled", false);
                    a.admin("PUT", "/api/flows/" + DeviceRepairExample.FLOW_ID + "/rules/" + rule.path("rule_id").asLong(),
                            disabled.toString());
                }
            }
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(routeOnB(b, "15550000001")).isEqualTo("STANDARD_SCHEDULE"));

            // make the customer owe money through instance A
            a.admin("PUT", "/api/customers/15550000001", "{\"tier\":\"premium\",\"balance_due\":50}");
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(routeOnB(b, "15550000001")).isEqualTo("PAYMENT"));
        }
    }

    private static String routeOnB(RoutingApiInstance b, String waId) {
        String token = b.mint(waId, DeviceRepairExample.FLOW_ID, null).path("flow_token").asText();
        b.client().send(payload("INIT", "", token));
        ObjectNode p = payload("data_exchange", "WELCOME", token);
        p.with("data").put("item_id", "iphone-13-screen").put("budget", "300");
        return b.client().send(p).screen();
    }
}
