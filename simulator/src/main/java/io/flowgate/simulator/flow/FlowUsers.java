package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flowgate.simulator.load.Journey;
import io.flowgate.simulator.load.ThinkTime;
import io.flowgate.simulator.report.Tally;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.PublicKey;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The Flow side of a run: everything the simulated Flow users share (the endpoint client, the admin
 * API, the uploaded Flow JSON, the scenario, think times), a new {@link Journey} for each user who
 * arrives, and Meta's periodic health-check {@code ping}.
 */
public final class FlowUsers {

    private final FlowEndpointClient endpoint;
    private final AdminApi admin;
    private final FlowScreens screens;
    private final DeviceRepairScenario scenario = new DeviceRepairScenario();
    private final Tally tally;
    private final ThinkTime thinkTime;

    private FlowUsers(FlowEndpointClient endpoint, AdminApi admin, FlowScreens screens, Tally tally, ThinkTime thinkTime) {
        this.endpoint = endpoint;
        this.admin = admin;
        this.screens = screens;
        this.tally = tally;
        this.thinkTime = thinkTime;
    }

    /**
     * Reads the {@code device_repair} Flow from routing-api's admin API and gets ready to play it.
     *
     * @throws IllegalStateException when routing-api cannot be reached or the Flow is not installed
     */
    public static FlowUsers connect(HttpClient http, URI routingApi, PublicKey businessKey, String appSecret,
                                    String adminToken, Tally tally, ThinkTime thinkTime)
            throws InterruptedException {
        AdminApi admin = new AdminApi(http, routingApi, adminToken);
        FlowScreens screens;
        try {
            screens = new FlowScreens(admin.flow(DeviceRepairScenario.FLOW_ID));
        } catch (AdminApi.AdminException e) {
            throw new IllegalStateException(e.status == 404
                    ? "routing-api has no Flow " + DeviceRepairScenario.FLOW_ID + ": install the device_repair example first"
                    + " (the embedded run does; see DeviceRepairExample)" : e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("routing-api at " + routingApi + " cannot be reached: " + e, e);
        }
        tally.flows().order(screens.ids());
        FlowEndpointClient endpoint = new FlowEndpointClient(http, routingApi.resolve("/flows/endpoint"),
                businessKey, appSecret);
        return new FlowUsers(endpoint, admin, screens, tally, thinkTime);
    }

    /**
     * A user arriving now.
     *
     * @param random decides everything this user does (a seeded run repeats itself)
     * @param waId   their number, unless the scenario makes them one of the business's known customers
     */
    public Journey arrive(RandomGenerator random, String waId) {
        return new FlowJourney(this, scenario.plan(random, waId), random, tally);
    }

    /** Meta's health check: {@code ping} without a token, answered {@code {"data":{"status":"active"}}}. */
    public void ping() throws InterruptedException {
        ObjectNode ping = JsonNodeFactory.instance.objectNode();
        ping.put("version", "3.0");
        ping.put("action", "ping");
        FlowAnswer answer = endpoint.sendStateless(ping);
        if (answer.ok() && "active".equals(answer.data().path("status").asText())) {
            tally.requests().ok("flow ping", answer.latencyNanos());
        } else {
            tally.requests().error("flow ping", answer.latencyNanos(), answer.ok() ? "not active" : answer.error());
        }
    }

    FlowEndpointClient endpoint() {
        return endpoint;
    }

    AdminApi admin() {
        return admin;
    }

    FlowScreens screens() {
        return screens;
    }

    String flowId() {
        return DeviceRepairScenario.FLOW_ID;
    }

    Duration thinkTime(RandomGenerator random) {
        return thinkTime.next(random);
    }
}
