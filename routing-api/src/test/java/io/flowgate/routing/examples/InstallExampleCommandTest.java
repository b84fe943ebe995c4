package io.flowgate.routing.examples;

import io.flowgate.routing.support.RoutingApiInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code java -jar routing-api-*-exec.jar install-example <URL>} installs the shipped example on a running,
 * stand-alone routing-api through its admin API, and says clearly when it cannot.
 */
class InstallExampleCommandTest {

    private static RoutingApiInstance app;

    @BeforeAll
    static void start() {
        app = RoutingApiInstance.builder().start();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void installsTheExampleOnARunningRoutingApi() {
        String url = app.uri("").toString();
        assertThat(app.admin("GET", "/api/flows/" + DeviceRepairExample.FLOW_ID, null).status()).isEqualTo(404);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = DeviceRepairExample.command(new String[] {DeviceRepairExample.COMMAND, url}, RoutingApiInstance.ADMIN_TOKEN,
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(status).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("installed the device_repair Flow");
        assertThat(app.admin("GET", "/api/flows/" + DeviceRepairExample.FLOW_ID, null).status()).isEqualTo(200);
        assertThat(app.admin("GET", "/api/flows/" + DeviceRepairExample.FLOW_ID + "/rules", null).json().path("rules")).isNotEmpty();
        assertThat(app.admin("GET", "/api/inventory", null).raw()).isNotEqualTo("{}");
    }

    @Test
    void saysWhyWhenTheTokenIsWrongOrMissing() {
        String url = app.uri("").toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

        assertThat(DeviceRepairExample.command(new String[] {DeviceRepairExample.COMMAND, url}, "wrong-token", print)).isEqualTo(1);
        assertThat(DeviceRepairExample.command(new String[] {DeviceRepairExample.COMMAND, url}, null, print)).isEqualTo(2);
        assertThat(DeviceRepairExample.command(new String[] {DeviceRepairExample.COMMAND}, "token", print)).isEqualTo(2);

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("not installed: PUT /api/flows/device_repair answered 401")
                .contains("set FLOWGATE_ADMIN_TOKEN").contains("usage:").doesNotContain("wrong-token");
    }
}
