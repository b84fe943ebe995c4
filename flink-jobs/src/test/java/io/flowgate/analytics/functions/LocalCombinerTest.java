package io.flowgate.analytics.functions;

import io.flowgate.analytics.records.ScreenDelta;
import io.flowgate.analytics.records.ScreenDropoffRow;
import io.flowgate.analytics.records.ScreenExit;
import io.flowgate.analytics.records.ScreenExits;
import io.flowgate.analytics.records.ScreenPathRow;
import io.flowgate.analytics.records.ScreenTimeRow;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local combine before a keyed exchange ({@link LocalCombiner}): what it holds back, when it lets go (each
 * watermark, before it; each checkpoint barrier; the end of the input; too many keys), and that the counters after it
 * write exactly the rows the single records give.
 */
class LocalCombinerTest {

    private static final Duration STALE_AFTER = Duration.ofMinutes(30);
    private static final long T0 = 1_700_000_000_000L;

    private static ScreenExit exit(String screen, String to, long shownMillis, long at) {
        return new ScreenExit("shop", 3, screen, to, "data_exchange", false, shownMillis, at);
    }

    private static OneInputStreamOperatorTestHarness<ScreenExit, ScreenExits> exitsCombiner(int maxKeys) throws Exception {
        OneInputStreamOperatorTestHarness<ScreenExit, ScreenExits> harness =
                new OneInputStreamOperatorTestHarness<>(ScreenExitCounter.combiner(maxKeys));
        harness.open();
        return harness;
    }

    /** What the harness emitted, records as "screen:exits" and watermarks as "wm:time", in order. */
    private static List<String> emitted(OneInputStreamOperatorTestHarness<ScreenExit, ScreenExits> harness) {
        List<String> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark w) {
                out.add("wm:" + w.getTimestamp());
            } else {
                @SuppressWarnings("unchecked")
                StreamRecord<ScreenExits> r = (StreamRecord<ScreenExits>) o;
                ScreenExits e = r.getValue();
                long exits = e.droppedOff();
                for (long n : e.transitions()) {
                    exits += n;
                }
                out.add(e.screen() + ":" + exits + "@" + r.getTimestamp());
            }
        }
        return out;
    }

    @Test
    void exitsAreHeldPerScreenAndSentOnTheWatermarkBeforeIt() throws Exception {
        try (var harness = exitsCombiner(100)) {
            harness.processElement(exit("ITEM", "CONFIRM", 1_000, T0 + 1), T0 + 1);
            harness.processElement(exit("CATALOG", "ITEM", 2_000, T0 + 2), T0 + 2);
            harness.processElement(exit("ITEM", "CONFIRM", 3_000, T0 + 3), T0 + 3);
            harness.processElement(new ScreenExit("shop", 3, "ITEM", "", "", true, STALE_AFTER.toMillis(), T0 + 4), T0 + 4);
            assertThat(harness.getOutput()).isEmpty();

            harness.processWatermark(T0 + 10);
            assertThat(emitted(harness)).containsExactly("ITEM:3@" + (T0 + 4), "CATALOG:1@" + (T0 + 2), "wm:" + (T0 + 10));

            harness.processElement(exit("ITEM", "CONFIRM", 1_000, T0 + 11), T0 + 11);
            harness.processWatermark(T0 + 20);
            harness.processWatermark(T0 + 30);
            assertThat(emitted(harness)).endsWith("wm:" + (T0 + 10), "ITEM:1@" + (T0 + 11), "wm:" + (T0 + 20), "wm:" + (T0 + 30));
        }
    }

    @Test
    void aCheckpointBarrierFindsNothingHeldBackSoARestoreLosesAndDoublesNothing() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = exitsCombiner(100)) {
            harness.processElement(exit("ITEM", "CONFIRM", 1_000, T0 + 1), T0 + 1);
            harness.processElement(exit("ITEM", "CONFIRM", 2_000, T0 + 2), T0 + 2);
            harness.prepareSnapshotPreBarrier(1);
            assertThat(emitted(harness)).containsExactly("ITEM:2@" + (T0 + 2));
            snapshot = harness.snapshot(1, T0);
        }
        try (var restored = new OneInputStreamOperatorTestHarness<>(ScreenExitCounter.combiner(100))) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processWatermark(T0 + 10);
            restored.endInput();
            assertThat(emitted(restored)).containsExactly("wm:" + (T0 + 10));
        }
    }

    @Test
    void theEndOfTheInputAndTooManyKeysLetGo() throws Exception {
        try (var harness = exitsCombiner(2)) {
            harness.processElement(exit("A", "B", 1_000, T0 + 1), T0 + 1);
            harness.processElement(exit("B", "C", 1_000, T0 + 2), T0 + 2);
            harness.processElement(exit("A", "B", 1_000, T0 + 3), T0 + 3);
            assertThat(harness.getOutput()).isEmpty();
            harness.processElement(exit("C", "D", 1_000, T0 + 4), T0 + 4);
            assertThat(emitted(harness)).containsExactly("A:2@" + (T0 + 3), "B:1@" + (T0 + 2));
            harness.endInput();
            assertThat(emitted(harness)).containsExactly("A:2@" + (T0 + 3), "B:1@" + (T0 + 2), "C:1@" + (T0 + 4));
        }
    }

    @Test
    void combinedExitsGiveTheScreenCounterExactlyTheRowsOfSingleExits() throws Exception {
        Random random = new Random(12);
        String[] screens = {"", "CATALOG", "ITEM", "CONFIRM"};
        List<ScreenExit> exits = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            String screen = screens[random.nextInt(screens.length)];
            long at = T0 + i * 10L;
            if (!screen.isEmpty() && random.nextInt(5) == 0) {
                exits.add(new ScreenExit("shop", 1 + random.nextInt(2), screen, "", "", true, STALE_AFTER.toMillis(), at));
            } else {
                String to = screens[1 + random.nextInt(screens.length - 1)];
                String action = random.nextInt(4) == 0 ? "BACK" : "data_exchange";
                long shown = screen.isEmpty() ? -1 : (long) (Math.exp(random.nextDouble() * 14) + random.nextInt(3));
                exits.add(new ScreenExit("shop", 1 + random.nextInt(2), screen, to, action, false, shown, at));
            }
        }

        var single = screenCounter();
        var combined = screenCounter();
        try (var combiner = exitsCombiner(3)) {
            int next = 0;
            for (ScreenExit e : exits) {
                single.processElement(ScreenExitCounter.single(e), e.time());
                combiner.processElement(e, e.time());
                if (random.nextInt(50) == 0) {
                    long watermark = e.time();
                    single.processWatermark(watermark);
                    combiner.processWatermark(watermark);
                    next = feed(combiner, combined, next);
                }
            }
            combiner.endInput();
            feed(combiner, combined, next);
            single.processWatermark(Long.MAX_VALUE);
            combined.processWatermark(Long.MAX_VALUE);
        }

        assertThat(latestRows(combined)).isEqualTo(latestRows(single)).hasSize(2 * (screens.length - 1));
        assertThat(latestPaths(combined)).isEqualTo(latestPaths(single)).hasSizeGreaterThan(20);
        single.close();
        combined.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ScreenExits, ScreenTimeRow> screenCounter() throws Exception {
        var harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ScreenExitCounter(STALE_AFTER), ScreenExits::screenKey, Types.STRING);
        harness.open();
        return harness;
    }

    /** Passes what the combiner emitted from index {@code from} on to the counter, watermarks included; the next index. */
    @SuppressWarnings("unchecked")
    private static <T> int feed(OneInputStreamOperatorTestHarness<?, T> combiner,
                                KeyedOneInputStreamOperatorTestHarness<String, T, ?> counter, int from) throws Exception {
        List<Object> output = new ArrayList<>(combiner.getOutput());
        for (Object o : output.subList(from, output.size())) {
            if (o instanceof Watermark w) {
                counter.processWatermark(w);
            } else {
                counter.processElement((StreamRecord<T>) o);
            }
        }
        return output.size();
    }

    @Test
    void combinedDeltasGiveTheVersionCounterExactlyItsRowsAndRollUps() throws Exception {
        Random random = new Random(7);
        long cohort = 1_700_000_000_000L / 3_600_000 * 3_600_000;
        String[] screens = {"CATALOG", "ITEM", "CONFIRM"};
        var single = versionCounter();
        var combined = versionCounter();
        try (var combiner = new OneInputStreamOperatorTestHarness<>(DropoffCounter.combiner(4))) {
            combiner.open();
            int next = 0;
            for (int i = 0; i < 5_000; i++) {
                int kind = random.nextInt(3);
                ScreenDelta delta = new ScreenDelta("lead_form", cohort + random.nextInt(2) * 3_600_000L,
                        screens[random.nextInt(screens.length)], "flow", kind == 0 ? 1 : 0, kind == 1 ? 1 : 0,
                        kind == 2 ? 1 : 0, 1 + random.nextInt(2));
                long at = cohort + i * 1_000L + random.nextInt(5_000);
                single.processElement(delta, at);
                combiner.processElement(delta, at);
                if (random.nextInt(40) == 0) {
                    long watermark = cohort + i * 1_000L - 5_000;
                    single.processWatermark(watermark);
                    combiner.processWatermark(watermark);
                    next = feed(combiner, combined, next);
                }
            }
            combiner.endInput();
            feed(combiner, combined, next);
            single.processWatermark(Long.MAX_VALUE - 1);
            combined.processWatermark(Long.MAX_VALUE - 1);
        }

        Map<String, ScreenDropoffRow> singleRows = new TreeMap<>();
        single.extractOutputValues().forEach(r -> singleRows.put(r.flowVersion() + "|" + r.cohortStart() + "|" + r.screen(), r));
        Map<String, ScreenDropoffRow> combinedRows = new TreeMap<>();
        combined.extractOutputValues().forEach(r -> combinedRows.put(r.flowVersion() + "|" + r.cohortStart() + "|" + r.screen(), r));
        assertThat(combinedRows).isEqualTo(singleRows).hasSize(2 * 2 * screens.length);
        assertThat(rolledUp(combined)).isEqualTo(rolledUp(single)).hasSize(2 * screens.length);
        single.close();
        combined.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ScreenDelta, ScreenDropoffRow> versionCounter() throws Exception {
        var harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                DropoffCounter.rollingUp(Duration.ofDays(7), Long.MAX_VALUE), ScreenDelta::versionRowKey, Types.STRING);
        harness.open();
        return harness;
    }

    /** What a rolling-up counter passed on, summed per coarser row: "reached|dropped|completed|latest time". */
    private static Map<String, String> rolledUp(KeyedOneInputStreamOperatorTestHarness<String, ScreenDelta, ScreenDropoffRow> h) {
        Map<String, long[]> sums = new TreeMap<>();
        h.getSideOutput(DropoffCounter.ROLL_UP).forEach(r -> {
            ScreenDelta d = r.getValue();
            long[] sum = sums.computeIfAbsent(d.rowKey(), k -> new long[] {0, 0, 0, Long.MIN_VALUE});
            sum[0] += d.reached();
            sum[1] += d.dropped();
            sum[2] += d.completed();
            sum[3] = Math.max(sum[3], d.time());
        });
        Map<String, String> out = new TreeMap<>();
        sums.forEach((k, v) -> out.put(k, v[0] + "|" + v[1] + "|" + v[2] + "|" + v[3]));
        return out;
    }

    private static Map<String, ScreenTimeRow> latestRows(KeyedOneInputStreamOperatorTestHarness<String, ScreenExits, ScreenTimeRow> h) {
        Map<String, ScreenTimeRow> rows = new TreeMap<>();
        h.extractOutputValues().forEach(r -> rows.put(r.flowVersion() + "|" + r.screen(), r));
        return rows;
    }

    private static Map<String, ScreenPathRow> latestPaths(KeyedOneInputStreamOperatorTestHarness<String, ScreenExits, ScreenTimeRow> h) {
        Map<String, ScreenPathRow> rows = new TreeMap<>();
        h.getSideOutput(ScreenExitCounter.PATHS).forEach(r -> {
            ScreenPathRow p = r.getValue();
            rows.put(p.flowVersion() + "|" + p.fromScreen() + "|" + p.toScreen() + "|" + p.action(), p);
        });
        return rows;
    }
}
