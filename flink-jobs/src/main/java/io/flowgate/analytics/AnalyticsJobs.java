package io.flowgate.analytics;

/** Entry point of the analytics job jar ({@code flink run}); the jobs are wired in later issues. */
public final class AnalyticsJobs {

    private AnalyticsJobs() {
    }

    public static void main(String[] args) {
        throw new UnsupportedOperationException("the analytics jobs are not built yet (issue 5)");
    }
}
