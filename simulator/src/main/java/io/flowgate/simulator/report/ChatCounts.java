package io.flowgate.simulator.report;

import java.util.concurrent.atomic.LongAdder;

/**
 * The messaging side of a run: conversations, the messages and statuses sent as Meta's webhooks (with
 * Meta's duplicates and reordering), and how many ingest-api acknowledged. The chat state machine is
 * not the simulator's to judge; these numbers say what ingest-api and {@code flowgate.inbound} must
 * have seen.
 */
public final class ChatCounts {

    private final LongAdder conversations = new LongAdder();
    private final LongAdder conversationsFinished = new LongAdder();
    private final LongAdder stoppedHalfway = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder invalidAnswers = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder reorderedPairs = new LongAdder();
    private final LongAdder statuses = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder skipped = new LongAdder();

    public void conversationStarted() {
        conversations.increment();
    }

    /** A lead wrote all they meant to; {@code answeredEverything} is false for one who stopped halfway on purpose. */
    public void conversationFinished(boolean answeredEverything) {
        conversationsFinished.increment();
        if (!answeredEverything) {
            stoppedHalfway.increment();
        }
    }

    /** A user message with a wamid not sent before; {@code invalid} when it answers a question wrongly on purpose. */
    public void message(boolean invalid) {
        messages.increment();
        if (invalid) {
            invalidAnswers.increment();
        }
    }

    /** A webhook resent unchanged, as Meta does when it retries. */
    public void duplicate() {
        duplicates.increment();
    }

    /** Two messages delivered in the reverse of the order they were written. */
    public void reorderedPair() {
        reorderedPairs.increment();
    }

    public void status() {
        statuses.increment();
    }

    /** A webhook ingest-api answered 200. */
    public void acknowledged() {
        acknowledged.increment();
    }

    /** A chat user who did not start because ingest-api could not be reached. */
    public void skipped() {
        skipped.increment();
    }

    public long webhooksAcknowledged() {
        return acknowledged.sum();
    }

    Summary summary() {
        return new Summary(conversations.sum(), conversationsFinished.sum(), stoppedHalfway.sum(), messages.sum(),
                invalidAnswers.sum(), duplicates.sum(), reorderedPairs.sum(), statuses.sum(), acknowledged.sum(),
                skipped.sum());
    }

    /** The counts at one moment. */
    public record Summary(long conversations, long conversationsFinished, long stoppedHalfway, long messages,
                          long invalidAnswers, long duplicates, long reorderedPairs, long statuses, long acknowledged,
                          long skipped) {
    }
}
