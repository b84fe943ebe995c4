package io.flowgate.dashboards;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.sql.DataSource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static io.flowgate.dashboards.AnalyticsFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

/**
 * The page as a person sees it: Debian's headless Chromium, driven by Selenium through Debian's
 * chromedriver (nothing is downloaded), over a real dashboard and real analytics tables. The charts
 * are checked through the live Chart.js objects the page exposes, the empty states through the DOM,
 * and the browser's console must stay free of errors. Screenshots are kept in
 * {@code dashboards/target/screenshots/}.
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Paths.get("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static DataSource data;
    private static Dashboard full;
    private static Dashboard empty;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        requireChromium();
        data = migratedDatabase("dashboard_browser");
        insertAll(data);
        full = Dashboard.start(0, data);
        empty = Dashboard.start(0, migratedDatabase("dashboard_browser_empty"));
        Files.createDirectories(SCREENSHOTS);
        browser = chromium();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (full != null) {
            full.close();
        }
        if (empty != null) {
            empty.close();
        }
    }

    @Test
    void everyChartIsDrawnFromTheTablesWithoutConsoleErrors() throws Exception {
        open(full);

        assertThat(js("return flowgateDashboard.charts.funnel.data.labels"))
                .isEqualTo(NEWEST_FUNNEL.stream().map(row -> row[0]).toList());
        assertThat(dataset("funnel", 0)).isEqualTo(NEWEST_FUNNEL.stream().map(row -> ((Integer) row[1]).longValue()).toList());
        assertThat(datasetLabels("funnel")).containsExactly("Reached", "Completed", "Dropped", "Drop rate");
        assertThat(new Select(browser.findElement(By.id("funnel-flow"))).getFirstSelectedOption().getText()).isEqualTo(FLOW);
        assertThat(new Select(browser.findElement(By.id("funnel-cohort"))).getOptions()).hasSize(2);

        assertThat(datasetLabels("latency")).containsExactly("p50", "p90", "p95", "p99", "Error rate");
        List<Object> p90 = dataset("latency", 1);
        assertThat(p90).hasSize(LATENCY_MINUTES);
        assertThat(((Number) p90.get(SPIKE_MINUTE_INDEX)).doubleValue()).isEqualTo(busyP90(SPIKE_MINUTE_INDEX));
        assertThat(text("latency-meta")).contains("WELCOME · data_exchange").contains("worst p90 1,240 ms");

        List<String> alertRows = texts("#alerts-rows tr");
        assertThat(alertRows).hasSize(1);
        assertThat(alertRows.get(0)).contains("p90").contains("1,240 ms").contains("1,000 ms");
        assertThat(browser.findElement(By.id("alerts-none")).isDisplayed()).isFalse();

        assertThat(dataset("stale", 0).stream().mapToLong(v -> ((Number) v).longValue()).sum()).isEqualTo(STALE_SESSIONS);
        assertThat(text("stale-meta")).contains("WELCOME (18)");

        assertThat(datasetLabels("leads")).containsExactly("hot", "warm", "cold");
        long leads = 0;
        for (int tier = 0; tier < 3; tier++) {
            leads += dataset("leads", tier).stream().mapToLong(v -> ((Number) v).longValue()).sum();
        }
        assertThat(leads).isEqualTo(LEADS);

        List<Object> items = jsList("return flowgateDashboard.charts.inventory.data.labels");
        assertThat(items).hasSize(ITEMS).startsWith("item-00 (hot)", "item-01 (hot)").contains(HOSTILE_ITEM + " (hot)");
        assertThat(dataset("inventory", 0).get(0)).isEqualTo((long) demand(0));

        screenshot("dashboard.png");
        assertNoMarkupFromTheData();
        assertNoConsoleErrors();
    }

    @Test
    void theExperimentsViewShowsEachVariantsIntervalDecisionAndWhyOneWasStopped() throws Exception {
        open(full);

        assertThat(new Select(browser.findElement(By.id("experiments-experiment"))).getFirstSelectedOption().getText())
                .startsWith(EXPERIMENT);
        assertThat(js("return flowgateDashboard.charts.experimentsInterval.data.labels")).isEqualTo(List.of("b", "slow"));
        List<Object> interval = dataset("experimentsInterval", 0);
        assertThat((List<?>) interval.get(0)).extracting(v -> ((Number) v).doubleValue())
                .containsExactly(3.1, 14.2);
        assertThat(interval.get(1)).as("no interval yet for slow").isNull();
        assertThat(datasetLabels("experimentsFunnel")).containsExactly("control", "b", "slow");
        assertThat(js("return flowgateDashboard.charts.experimentsFunnel.data.labels"))
                .isEqualTo(List.of("WELCOME", "DETAILS", "QUOTE"));

        List<String> rows = texts("#experiments-rows tr");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).contains("control (control)").contains("1,600").contains("31%");
        assertThat(rows.get(1)).contains("+9.0 pt [+3.1 pt, +14.2 pt]").contains("0.0004").contains("winner");
        assertThat(rows.get(2)).contains("stopped by guardrail")
                .contains("p90 latency 2,140 ms over 1,000 ms, 10:12 UTC");

        browser.findElement(By.id("experiments-panel")).getLocation();
        ((JavascriptExecutor) browser).executeScript("document.getElementById('experiments-panel').scrollIntoView()");
        screenshot("dashboard-experiments.png");
        assertNoConsoleErrors();
    }

    @Test
    void choosingAFlowRedrawsItsFunnelAndShowsItsIdsAsText() {
        open(full);

        new Select(browser.findElement(By.id("funnel-flow"))).selectByValue(HOSTILE_FLOW);
        new WebDriverWait(browser, WAIT).until(d -> List.of(HOSTILE_SCREEN)
                .equals(js("return flowgateDashboard.charts.funnel ? flowgateDashboard.charts.funnel.data.labels : null")));
        new Select(browser.findElement(By.id("funnel-flow"))).selectByValue(CHAT);
        new WebDriverWait(browser, WAIT).until(d -> List.of("ASK_BUDGET", "ASK_TIMELINE", "QUALIFIED")
                .equals(js("return flowgateDashboard.charts.funnel.data.labels")));
        assertThat(new Select(browser.findElement(By.id("funnel-flow"))).getOptions())
                .extracting(WebElement::getText).contains(HOSTILE_FLOW, CHAT + " (chat)");

        assertNoMarkupFromTheData();
        assertNoConsoleErrors();
    }

    @Test
    void theChartsFollowNewRowsWithoutAReload() throws Exception {
        open(full);
        long before = (Long) js("return flowgateDashboard.charts.leads.data.datasets[0].data[9]");

        try (Connection c = data.getConnection()) {
            // scores 100: the top decile, hot tier
            c.createStatement().execute("""
                    INSERT INTO lead_scores (wa_id, score, tier, updated_at)
                    SELECT 'new-' || n, 100, 'hot', now() FROM generate_series(1, 5) n""");
        }

        try {
            new WebDriverWait(browser, WAIT).until(d ->
                    Long.valueOf(before + 5).equals(js("return flowgateDashboard.charts.leads.data.datasets[0].data[9]")));
            assertNoConsoleErrors();
        } finally {
            try (Connection c = data.getConnection()) {
                c.createStatement().execute("DELETE FROM lead_scores WHERE wa_id LIKE 'new-%'");
            }
        }
    }

    @Test
    void theMetaPanelDrawsMetasFiguresBesideFlowgatesAndTheBannerNamesTheThrottledFlow() throws Exception {
        open(full);

        assertThat(datasetLabels("meta")).containsExactly("Meta p90 (ms)", "Flowgate p90 (ms)", "Difference p90 (ms)",
                "Meta error rate (%)", "Flowgate error rate (%)", "Meta availability (%)");
        // the status change carries no figure: the chart has the metrics API point and the two alerts
        assertThat(jsList("return flowgateDashboard.charts.meta.data.labels")).hasSize(3);
        List<Object> metaP90 = dataset("meta", 0);
        assertThat(((Number) metaP90.get(1)).doubleValue()).isEqualTo(8000.0);
        assertThat(((Number) dataset("meta", 1).get(1)).doubleValue()).isCloseTo(flowgateP90(30, 59), within(1e-6));
        assertThat(((Number) dataset("meta", 2).get(1)).doubleValue()).isCloseTo(8000.0 - flowgateP90(30, 59), within(1e-6));
        assertThat(new Select(browser.findElement(By.id("meta-flow"))).getFirstSelectedOption().getText())
                .isEqualTo(META_FLOW + " (" + FLOW + ") · THROTTLED");
        assertThat(text("meta-meta")).contains("status THROTTLED").contains("last p90 difference");
        List<String> rows = texts("#meta-rows tr");
        assertThat(rows).hasSize(4);
        // newest first: the error-rate alert, then the latency alert
        assertThat(rows.get(0)).contains("ENDPOINT_ERROR_RATE").contains("14.3 %");
        assertThat(rows.get(1)).contains("ENDPOINT_LATENCY").contains("ACTIVATED").contains("500 / 8,000");

        WebElement banner = browser.findElement(By.id("meta-banner"));
        assertThat(banner.isDisplayed()).isTrue();
        assertThat(banner.getText()).contains(FLOW + " THROTTLED");
        screenshot("dashboard-meta.png");

        new Select(browser.findElement(By.id("meta-flow"))).selectByValue(OTHER_META_FLOW);
        new WebDriverWait(browser, WAIT).until(d -> text("meta-meta").contains(OTHER_META_FLOW));
        assertThat(browser.findElements(By.cssSelector("#meta-rows tr"))).hasSize(1);
        assertThat(((Number) dataset("meta", 5).get(0)).doubleValue()).isEqualTo(75.0);
        assertNoConsoleErrors();
    }

    @Test
    void theBannerGoesAwayWhenMetaLetsTheFlowRecover() throws Exception {
        open(full);
        assertThat(browser.findElement(By.id("meta-banner")).isDisplayed()).isTrue();
        try (Connection c = data.getConnection()) {
            c.createStatement().execute("UPDATE meta_flows SET meta_status = 'PUBLISHED' WHERE meta_flow_id = '" + META_FLOW + "'");
        }
        try {
            new WebDriverWait(browser, WAIT).until(d -> !browser.findElement(By.id("meta-banner")).isDisplayed());
            assertNoConsoleErrors();
        } finally {
            try (Connection c = data.getConnection()) {
                c.createStatement().execute("UPDATE meta_flows SET meta_status = 'THROTTLED' WHERE meta_flow_id = '" + META_FLOW + "'");
            }
        }
    }

    @Test
    void emptyTablesShowNoDataYetInsteadOfCharts() throws Exception {
        open(empty);

        for (String view : List.of("funnel", "latency", "stale", "leads", "inventory", "experiments", "meta", "versions")) {
            WebElement message = browser.findElement(By.id(view + "-empty"));
            assertThat(message.isDisplayed()).as(view).isTrue();
            assertThat(message.getText()).as(view).startsWith("No data yet");
            assertThat(browser.findElement(By.id(view + "-chart-box")).isDisplayed()).as(view).isFalse();
        }
        assertThat(browser.findElement(By.id("alerts-empty")).getText()).startsWith("No data yet");
        assertThat(browser.findElement(By.id("meta-banner")).isDisplayed()).isFalse();
        assertThat((Map<?, ?>) js("return flowgateDashboard.charts")).isEmpty();
        assertThat(text("status")).startsWith("Live");

        screenshot("dashboard-empty.png");
        assertNoConsoleErrors();
    }

    @Test
    void twoFlowVersionsAreComparedSideBySideWithTheirPaths() throws Exception {
        open(full);

        assertThat(new Select(browser.findElement(By.id("versions-a"))).getFirstSelectedOption().getText()).isEqualTo("v1");
        assertThat(new Select(browser.findElement(By.id("versions-b"))).getFirstSelectedOption().getText()).isEqualTo("v2");
        assertThat(js("return flowgateDashboard.charts['versions-funnel'].data.labels")).isEqualTo(List.of("WELCOME", "CHOOSE", "CONFIRM"));
        assertThat(jsList("return flowgateDashboard.charts['versions-funnel'].data.datasets.map(d => d.label)"))
                .containsExactly("v1 reached", "v1 drop rate", "v2 reached", "v2 drop rate");
        // reached as a share of the version's sessions (its most reached screen), both cohorts summed
        assertThat(jsList("return flowgateDashboard.charts['versions-funnel'].data.datasets[2].data"))
                .extracting(v -> ((Number) v).doubleValue()).containsExactly(1.0, 165.0 / 180, 150.0 / 180);
        assertThat(jsList("return flowgateDashboard.charts['versions-time'].data.datasets.map(d => d.label)"))
                .containsExactly("v1 p50", "v1 p90", "v2 p50", "v2 p90");
        // p90 over all views of version 1, in seconds
        assertThat(jsList("return flowgateDashboard.charts['versions-time'].data.datasets[1].data"))
                .extracting(v -> ((Number) v).doubleValue()).containsExactly(24.5, 187.0, 15.8);
        assertThat(text("versions-meta")).contains("v1: 150 sessions").contains("v2: 180 sessions");

        // the Sankey of the newer version: its 5 transitions (one of them BACK) and 3 drop-offs, 5 screens + start + dropped
        assertThat(js("return flowgateDashboard.versions")).isEqualTo(Map.of("nodes", 6L, "links", 8L, "backLinks", 1L));
        assertThat(browser.findElements(By.cssSelector("#versions-paths-svg path"))).hasSize(8);
        // read in one script: the page redraws the diagram every second (?refresh=1), which would leave
        // elements found one call earlier stale
        assertThat(sankeyLabels()).anyMatch(t -> t.startsWith("start")).anyMatch(t -> t.startsWith("(dropped off)"));
        WebElement panel = browser.findElement(By.id("versions-panel"));
        Files.write(SCREENSHOTS.resolve("versions.png"), panel.getScreenshotAs(OutputType.BYTES));

        new Select(browser.findElement(By.id("versions-paths"))).selectByValue("1");
        new WebDriverWait(browser, WAIT).until(d -> Long.valueOf(9).equals(js("return flowgateDashboard.versions.links")));
        assertThat(sankeyLabels()).anyMatch(t -> t.startsWith(HOSTILE_SCREEN));
        Files.write(SCREENSHOTS.resolve("versions-v1-paths.png"), panel.getScreenshotAs(OutputType.BYTES));

        assertNoMarkupFromTheData();
        assertNoConsoleErrors();
    }

    private static List<String> sankeyLabels() {
        return jsList("return Array.from(document.querySelectorAll('#versions-paths-svg text')).map(t => t.textContent)")
                .stream().map(String::valueOf).toList();
    }

    /**
     * The rendered text of the elements a selector finds, read in one script: with {@code ?refresh=1} a view
     * may redraw between two WebDriver calls, leaving elements found by the first stale for the second.
     */
    private static List<String> texts(String selector) {
        return ((List<?>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText)", selector))
                .stream().map(String::valueOf).toList();
    }

    private static void open(Dashboard dashboard) {
        browser.get(dashboard.uri() + "?refresh=1");
        // the first round of all six views has been drawn (or shown empty) once the counter moves
        new WebDriverWait(browser, WAIT).until(d ->
                Boolean.TRUE.equals(js("return !!window.flowgateDashboard && flowgateDashboard.refreshes > 0")));
        assertThat(js("return flowgateDashboard.lastError")).as("errors while refreshing").isNull();
    }

    private static void assertNoMarkupFromTheData() {
        assertThat(js("return window.__xss === undefined")).as("markup from the data ran").isEqualTo(true);
        assertThat(browser.findElements(By.cssSelector("img, script:not([src]), b"))).as("elements made from the data").isEmpty();
    }

    private static void assertNoConsoleErrors() {
        List<String> problems = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
                problems.add(entry.getLevel() + " " + entry.getMessage());
            }
        }
        assertThat(problems).as("browser console").isEmpty();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> jsList(String script) {
        return (List<Object>) js(script);
    }

    private static List<Object> dataset(String chart, int index) {
        return jsList("return flowgateDashboard.charts." + chart + ".data.datasets[" + index + "].data");
    }

    private static List<Object> datasetLabels(String chart) {
        return jsList("return flowgateDashboard.charts." + chart + ".data.datasets.map(d => d.label)");
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static void screenshot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name), png);
    }

    private static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("The dashboard's browser test needs Debian's Chromium and ChromeDriver (" + CHROMIUM + ", "
                    + CHROMEDRIVER + "). Install them with: apt-get update && apt-get install -y chromium chromium-driver");
        }
    }

    private static ChromeDriver chromium() throws Exception {
        Path profile = Files.createTempDirectory("dashboard-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1400,2200");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .withLogFile(SCREENSHOTS.resolveSibling("chromedriver.log").toFile())
                .build();
        return new ChromeDriver(service, options);
    }
}
