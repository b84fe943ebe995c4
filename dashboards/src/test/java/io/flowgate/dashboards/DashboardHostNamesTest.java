package io.flowgate.dashboards;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The dashboard answers only to its own host names, so that a page on another site whose DNS name was
 * rebound to 127.0.0.1 cannot read it from a browser on the same machine. Requests go over a raw socket,
 * since HTTP clients do not let a caller choose the {@code Host} header.
 */
class DashboardHostNamesTest {

    private static Dashboard onLoopback;
    private static Dashboard onSecondLoopback;

    @BeforeAll
    static void start() throws Exception {
        // nothing here reads the database: the host check comes first and the page is served from the jar
        String noDatabase = "jdbc:postgresql://127.0.0.1:9/flowgate";
        onLoopback = Dashboard.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), noDatabase, "flowgate", "",
                Dashboard.allowedHosts(" dashboard.example.com , ops.internal "));
        onSecondLoopback = Dashboard.start(new InetSocketAddress("127.0.0.2", 0), noDatabase, "flowgate", "");
    }

    @AfterAll
    static void stop() {
        onLoopback.close();
        onSecondLoopback.close();
    }

    @Test
    void aRebindingPagesHostNameIsRefused() throws Exception {
        for (String host : List.of("attacker.example", "attacker.example:" + port(onLoopback), "localhost.attacker.example",
                "127.0.0.1.nip.io", "127.0.0.2", "[::2]", "localhost:80a", "localhost:", "[::1", "::1", "")) {
            String answer = get(onLoopback, "/", host);
            assertThat(status(answer)).as("Host: %s", host).isEqualTo(421);
            assertThat(answer).as("Host: %s", host).contains("unknown host name").doesNotContain("<html");
        }
        assertThat(status(get(onLoopback, "/api/leads", "attacker.example"))).isEqualTo(421);
        assertThat(status(get(onLoopback, "/", null))).as("no Host header").isEqualTo(421);
    }

    @Test
    void itsOwnNamesAreServedWithOrWithoutAPort() throws Exception {
        int port = port(onLoopback);
        for (String host : List.of("localhost", "localhost:" + port, "LocalHost:" + port, "127.0.0.1", "127.0.0.1:" + port,
                "[::1]", "[::1]:" + port, "[0:0:0:0:0:0:0:1]:" + port, "dashboard.example.com", "Dashboard.Example.COM:443",
                "ops.internal:" + port)) {
            String answer = get(onLoopback, "/", host);
            assertThat(status(answer)).as("Host: %s", host).isEqualTo(200);
            assertThat(answer).contains("<html");
        }
    }

    @Test
    void theAddressItListensOnIsOneOfItsNames() throws Exception {
        int port = port(onSecondLoopback);
        assertThat(status(get(onSecondLoopback, "/", "127.0.0.2:" + port))).isEqualTo(200);
        assertThat(status(get(onSecondLoopback, "/", "localhost:" + port))).isEqualTo(200);
        assertThat(status(get(onSecondLoopback, "/", "dashboard.example.com"))).isEqualTo(421);
    }

    @Test
    void aSettingThatIsNotAHostNameStopsTheStart() {
        assertThatThrownBy(() -> Dashboard.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                "jdbc:postgresql://127.0.0.1:9/flowgate", "flowgate", "", List.of("host:8090")))
                .hasMessageContaining("DASHBOARD_ALLOWED_HOSTS").hasMessageContaining("host:8090");
    }

    private static int port(Dashboard dashboard) {
        return dashboard.uri().getPort();
    }

    private static int status(String answer) {
        String line = answer.lines().findFirst().orElse("");
        return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : -1;
    }

    private static String get(Dashboard dashboard, String path, String host) throws IOException {
        String address = dashboard == onSecondLoopback ? "127.0.0.2" : "127.0.0.1";
        try (Socket socket = new Socket(address, port(dashboard))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(in);
            return in.toString(StandardCharsets.UTF_8);
        }
    }
}
