package io.flowgate.launcher;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The environment of an embedded stack started by a test: its own home, free ports, no demo load. */
final class TestStack {

    private TestStack() {
    }

    static Map<String, String> environment(Path home, String staleAfter) {
        Map<String, String> env = new HashMap<>();
        env.put("FLOWGATE_HOME", home.toString());
        env.put("SERVER_PORT", "0");
        env.put("FLOWGATE_INGEST_PORT", "0");
        env.put("DASHBOARD_PORT", "0");
        env.put("FLOWGATE_SIMULATOR", "off");
        env.put("FLOWGATE_STALE_AFTER", staleAfter);
        return env;
    }
}
