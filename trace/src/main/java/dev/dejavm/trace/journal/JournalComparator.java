package dev.dejavm.trace.journal;

import dev.dejavm.core.event.EventSink;
import dev.dejavm.core.event.ExecutionStamp;
import dev.dejavm.trace.record.EventRecord;

/**
 * For {@code replay --verify}: an {@link EventSink} fed by a re-execution that compares every event, as it
 * happens, with the next record of the recorded journal. At the first mismatch it keeps a {@link Divergence}
 * (both records and the recorded context before it) and calls {@code onDivergence} so the run can stop.
 */
public final class JournalComparator implements EventSink {
    private final JournalReader recorded;
    private final ExecutionStamp stamp;
    private final Runnable onDivergence;
    private final int contextSize;
    private final EventRecord live = new EventRecord();
    private final EventRecord expected = new EventRecord();
    private final EventRecord[] context;
    private long seq;
    private Divergence divergence;
    private long until = Long.MAX_VALUE;
    private boolean windowDone;

    public JournalComparator(final JournalReader recorded, final ExecutionStamp stamp, final int contextSize, final Runnable onDivergence) {
        this.recorded = recorded;
        this.stamp = stamp;
        this.onDivergence = onDivergence;
        this.contextSize = Math.max(0, contextSize);
        this.context = new EventRecord[this.contextSize];
        for (int i = 0; i < this.contextSize; i++) {
            context[i] = new EventRecord();
        }
    }

    /**
     * Starts the comparison at record {@code first} (a replay resumed from a checkpoint): the records before it are
     * read and kept as context only.
     * @return false if the journal holds fewer records
     */
    public boolean startAt(final long first) {
        final long keep = Math.min(first, contextSize);
        if (first - keep > seq) {
            if (!recorded.skipTo(first - keep)) {
                return false;
            }
            seq = first - keep;
        }
        while (seq < first) {
            if (!recorded.next(expected)) {
                return false;
            }
            if (contextSize > 0) {
                context[(int) (seq % contextSize)].copyFrom(expected);
            }
            seq++;
        }
        return true;
    }

    /** Compare records 0..{@code last} only; once they matched the run is stopped (replay of a window). */
    public void setUntil(final long last) {
        this.until = last;
    }

    /** True if the comparison stopped after the window given by {@link #setUntil}. */
    public boolean windowDone() {
        return windowDone;
    }

    @Override
    public void onEvent(final int kind, final int flags, final long address, final int size, final long value) {
        if (divergence != null || windowDone) {
            return;
        }
        if (seq > until) { // started past the window (from a checkpoint at its end): nothing left to compare
            windowDone = true;
            onDivergence.run();
            return;
        }
        live.set(seq, stamp.icount(), stamp.cycles(), stamp.rip(), kind, flags, address, size, value, stamp.engine());
        if (!recorded.next(expected)) {
            divergence = new Divergence(seq, null, copy(live), contextList(),
                    "the re-execution produced more events than the journal holds (" + seq + ")");
            onDivergence.run();
            return;
        }
        if (!expected.sameEvent(live)) {
            divergence = new Divergence(seq, copy(expected), copy(live), contextList(), "event " + seq + " differs");
            onDivergence.run();
            return;
        }
        if (contextSize > 0) {
            context[(int) (seq % contextSize)].copyFrom(expected);
        }
        seq++;
        if (seq > until) {
            windowDone = true;
            onDivergence.run(); // stop the run: the window has been compared
        }
    }

    /**
     * Call when the re-execution ended: reports a divergence if the journal holds more events.
     *
     * @return the first divergence, or null if every event matched
     */
    public Divergence finish() {
        if (divergence == null && !windowDone && recorded.next(expected)) {
            divergence = new Divergence(seq, copy(expected), null, contextList(),
                    "the re-execution ended after " + seq + " events; the journal holds more");
        }
        return divergence;
    }

    /** The divergence found so far, or null. */
    public Divergence divergence() {
        return divergence;
    }

    public long eventsCompared() {
        return seq;
    }

    private static EventRecord copy(final EventRecord r) {
        final EventRecord c = new EventRecord();
        c.copyFrom(r);
        return c;
    }

    private java.util.List<EventRecord> contextList() {
        final java.util.List<EventRecord> l = new java.util.ArrayList<>();
        final long n = Math.min(seq, contextSize);
        for (long s = seq - n; s < seq; s++) {
            l.add(copy(context[(int) (s % contextSize)]));
        }
        return l;
    }

    /**
     * The first difference between a journal and its re-execution.
     *
     * @param seq      record number
     * @param recorded the journal's record there (null if the journal had ended)
     * @param replayed the re-execution's event (null if it had ended)
     * @param context  the recorded events just before it, oldest first
     * @param summary  one line
     */
    public record Divergence(long seq, EventRecord recorded, EventRecord replayed, java.util.List<EventRecord> context, String summary) {
        public String toReport() {
            final StringBuilder b = new StringBuilder();
            b.append("replay diverged at record ").append(seq).append(": ").append(summary).append('\n');
            if (!context.isEmpty()) {
                b.append("preceding recorded events:\n");
                for (final EventRecord r : context) {
                    b.append("    ").append(EventFormatter.text(r)).append('\n');
                }
            }
            b.append("recorded: ").append(recorded == null ? "(journal ended)" : EventFormatter.text(recorded)).append('\n');
            b.append("replayed: ").append(replayed == null ? "(re-execution ended)" : EventFormatter.text(replayed)).append('\n');
            return b.toString();
        }
    }
}
