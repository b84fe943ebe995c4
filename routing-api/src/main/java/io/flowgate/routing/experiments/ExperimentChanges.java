package io.flowgate.routing.experiments;

import io.flowgate.routing.system.ChangeListener;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What drops a cache of Flows (or chat machines) with their live experiments: a change announced with the
 * cached key ({@code subjectTables}) drops that entry; a change of an experiment's variants or guardrail
 * stops, announced with the experiment id, drops the entry that holds that experiment ({@link #remember}),
 * or every entry when none is known to (a load in flight may be about to cache it); a reconnection of the
 * listener drops everything.
 */
public final class ExperimentChanges {

    /** Experiment id to the key of the cached entry that holds it. */
    private final Map<String, String> holders = new ConcurrentHashMap<>();

    private ExperimentChanges() {
    }

    public static ExperimentChanges subscribe(ChangeListener changes, Set<String> subjectTables, Consumer<String> invalidate,
                                              Runnable invalidateAll) {
        ExperimentChanges index = new ExperimentChanges();
        changes.subscribe(change -> {
            if (subjectTables.contains(change.table())) {
                invalidate.accept(change.key());
            } else if (change.table().equals("experiment_variants") || change.table().equals("experiment_guardrail_stops")) {
                String key = index.holders.get(change.key());
                if (key != null) {
                    invalidate.accept(key);
                } else {
                    invalidateAll.run();
                }
            } else if (change.table().equals(ChangeListener.ALL)) {
                invalidateAll.run();
            }
        });
        return index;
    }

    /** Notes that the entry {@code key} holds {@code experimentId}, before it is cached. */
    public void remember(String experimentId, String key) {
        holders.put(experimentId, key);
    }
}
