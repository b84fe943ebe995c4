package io.flowgate.analytics.records;

/** One {@code experiment_screen_dropoff} row; {@code updatedAt} is epoch milliseconds. */
public record ExperimentScreenRow(
        String experimentId,
        String variant,
        String screen,
        long reached,
        long dropped,
        long completed,
        long updatedAt) {

    public double dropRate() {
        return reached == 0 ? 0.0 : (double) dropped / reached;
    }
}
