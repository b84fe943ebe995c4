package io.flowgate.analytics.functions;

import java.util.ArrayList;
import java.util.List;

/**
 * What the session tracker remembers about one session (a Flink POJO: public fields, no-arg
 * constructor, so its state schema can evolve). Every field is idempotent under duplicated
 * transitions: screens and items are sets, times are maxima, completion and staleness are flags.
 */
public final class SessionProgress {

    /** Sentinel for "no transition applied yet". */
    static final long NEVER = Long.MIN_VALUE;

    public String flowId;
    public String userId;
    public String source;
    public long startedAt;
    public long cohortStart;
    /** Funnel screens reached, in the order first reached. */
    public List<String> reached = new ArrayList<>();
    /** Items selected in the session (each counts once as demand). */
    public List<String> items = new ArrayList<>();
    public String lastScreen;
    public long lastEventTime = NEVER;
    /** The latest transition applied, also after the session went stale (lead score's activity). */
    public long lastActivityAt = NEVER;
    public String lastEventId;
    public boolean completed;
    public boolean stale;
    public long staleAt;
    public boolean reengaged;
    /** When the session completed or went stale; its state is kept {@code session-retention} longer. */
    public long finishedAt;
    public String budget;
    public String industry;
    public String timeline;
    /** The routing experiment and variant the session is in (from its first tagged transition), or null. */
    public String experimentId;
    public String variant;
    /** Its outcome in the experiment has been read (start + experiment window). */
    public boolean measured;
    /** The Flow version the session started on (its first transition's); 0 when unknown. */
    public int flowVersion;

    public SessionProgress() {
    }

    boolean finished() {
        return completed || stale;
    }
}
