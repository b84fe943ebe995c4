package io.flowgate.dashboards;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * The page, its script and style, and Chart.js from its WebJar: a fixed list of files read from the
 * jar once at start, so no request path ever reaches the class loader and a missing file fails the
 * start rather than a viewer's page.
 */
final class StaticAssets implements HttpHandler {

    private static final String BASE = "/io/flowgate/dashboards/static/";

    private record Asset(String contentType, byte[] body) {
    }

    private final Map<String, Asset> assets;

    StaticAssets() {
        Asset page = load(BASE + "index.html", "text/html; charset=utf-8");
        this.assets = Map.of(
                "/", page,
                "/index.html", page,
                "/dashboard.js", load(BASE + "dashboard.js", "text/javascript; charset=utf-8"),
                "/experiments.js", load(BASE + "experiments.js", "text/javascript; charset=utf-8"),
                "/versions.js", load(BASE + "versions.js", "text/javascript; charset=utf-8"),
                "/dashboard.css", load(BASE + "dashboard.css", "text/css; charset=utf-8"),
                "/favicon.svg", load(BASE + "favicon.svg", "image/svg+xml"),
                "/chart.umd.js", load(chartJsPath(), "text/javascript; charset=utf-8"));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!HttpResponses.readOnly(exchange)) {
                return;
            }
            Asset asset = assets.get(exchange.getRequestURI().getPath());
            if (asset == null) {
                HttpResponses.send(exchange, 404, "text/plain; charset=utf-8",
                        "not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            // a new jar brings new files: the browser revalidates instead of running an old script
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            HttpResponses.send(exchange, 200, asset.contentType(), asset.body());
        }
    }

    private static String chartJsPath() {
        Properties properties = new Properties();
        try (InputStream in = StaticAssets.class.getResourceAsStream("/io/flowgate/dashboards/dashboard.properties")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.properties is missing from the dashboards jar");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "/META-INF/resources/webjars/chart.js/" + properties.getProperty("chartjs.version") + "/dist/chart.umd.js";
    }

    private static Asset load(String resource, String contentType) {
        try (InputStream in = StaticAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
