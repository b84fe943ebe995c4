package io.flowgate.simulator.flow;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;

/**
 * Opens one Flow session the way a business and a WhatsApp client do, for tests outside the simulator:
 * mint a flow token ({@code POST /api/flow-sessions}), then send {@code INIT} encrypted with the business
 * public key and signed with the app secret. The user then leaves.
 */
public final class OneFlowSession {

    private final AdminApi admin;
    private final FlowEndpointClient endpoint;

    public OneFlowSession(URI routingApi, Path publicKey, String adminToken, String appSecret) {
        HttpClient http = HttpClient.newHttpClient();
        this.admin = new AdminApi(http, routingApi, adminToken);
        this.endpoint = new FlowEndpointClient(http, routingApi.resolve("/flows/endpoint"),
                BusinessPublicKey.read(publicKey), appSecret);
    }

    /** Mints a token for {@code waId} on {@code flowId} and opens the Flow; returns the session id. */
    public String open(String waId, String flowId) throws Exception {
        AdminApi.Minted minted = admin.mint(waId, flowId, 0);
        ObjectNode init = JsonNodeFactory.instance.objectNode();
        init.put("version", "3.0");
        init.put("action", "INIT");
        init.put("screen", "");
        init.set("data", JsonNodeFactory.instance.objectNode());
        init.put("flow_token", minted.flowToken());
        FlowAnswer answer = endpoint.send(init);
        if (!answer.ok()) {
            throw new IllegalStateException("INIT answered " + answer.error());
        }
        return minted.sessionId();
    }
}
