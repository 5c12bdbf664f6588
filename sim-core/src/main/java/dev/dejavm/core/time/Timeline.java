package dev.dejavm.core.time;

import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

import java.util.Arrays;

/**
 * The machine's only clock: virtual time in nanoseconds, advanced by the CPU (one nanosecond per instruction
 * cycle at the model's nominal 1 GHz, the same convention as QEMU's {@code -icount shift=0}) and jumped forward
 * by HLT to the next deadline. Nothing here reads the host clock.
 *
 * <p>Devices register timers once (an int handle each, preallocated) and schedule only their next edge; counters
 * are computed on read from {@link #now()}. Pending deadlines live in a binary min-heap keyed by
 * {@code (deadline, sequence)}, so timers due at the same instant fire in the order they were scheduled (FIFO).
 */
public final class Timeline implements Snapshottable {
    /** Nanoseconds per second of virtual time. */
    public static final long NS_PER_SECOND = 1_000_000_000L;
    public static final long NEVER = Long.MAX_VALUE;

    private long now;
    private long nextDeadline = NEVER;
    private long sequence;

    private TimerCallback[] callbacks = new TimerCallback[0];
    private String[] names = new String[0];
    private long[] deadline = new long[0];  // per handle; NEVER when not scheduled
    private long[] seq = new long[0];       // per handle
    private int[] heapPos = new int[0];     // per handle; -1 when not in heap
    private int[] heap = new int[0];        // handles
    private int heapSize;

    /** Registers a timer (board build time only). @return its handle */
    public int register(final String name, final TimerCallback callback) {
        final int h = callbacks.length;
        callbacks = Arrays.copyOf(callbacks, h + 1);
        names = Arrays.copyOf(names, h + 1);
        deadline = Arrays.copyOf(deadline, h + 1);
        seq = Arrays.copyOf(seq, h + 1);
        heapPos = Arrays.copyOf(heapPos, h + 1);
        heap = Arrays.copyOf(heap, h + 1);
        callbacks[h] = callback;
        names[h] = name;
        deadline[h] = NEVER;
        heapPos[h] = -1;
        return h;
    }

    /** Current virtual time, nanoseconds since power-on. */
    public long now() {
        return now;
    }

    /** Earliest pending deadline, or {@link #NEVER}. */
    public long nextDeadline() {
        return nextDeadline;
    }

    /** Advances virtual time by {@code ns} without firing timers (the run loop fires them at boundaries). */
    public void advance(final long ns) {
        now += ns;
    }

    /** Moves virtual time to {@code time} if that is later than now (HLT skipping to a deadline). */
    public void advanceTo(final long time) {
        if (time > now) {
            now = time;
        }
    }

    /** Schedules (or reschedules) timer {@code handle} to fire at absolute virtual time {@code when}. */
    public void schedule(final int handle, final long when) {
        if (heapPos[handle] >= 0) {
            removeAt(heapPos[handle]);
        }
        deadline[handle] = when;
        seq[handle] = sequence++;
        heap[heapSize] = handle;
        heapPos[handle] = heapSize;
        heapSize++;
        siftUp(heapSize - 1);
        nextDeadline = deadline[heap[0]];
    }

    public void cancel(final int handle) {
        if (heapPos[handle] >= 0) {
            removeAt(heapPos[handle]);
            nextDeadline = heapSize == 0 ? NEVER : deadline[heap[0]];
        }
        deadline[handle] = NEVER;
    }

    public boolean isScheduled(final int handle) {
        return heapPos[handle] >= 0;
    }

    public long deadlineOf(final int handle) {
        return deadline[handle];
    }

    /** Fires every timer whose deadline is at or before now, earliest first, FIFO among equals. */
    public void runDue() {
        while (heapSize > 0 && deadline[heap[0]] <= now) {
            final int h = heap[0];
            removeAt(0);
            deadline[h] = NEVER;
            nextDeadline = heapSize == 0 ? NEVER : deadline[heap[0]];
            callbacks[h].onTimer(now);
        }
        nextDeadline = heapSize == 0 ? NEVER : deadline[heap[0]];
    }

    /** Power-on: time back to zero, nothing pending. Timers stay registered. */
    public void resetAll() {
        now = 0;
        sequence = 0;
        while (heapSize > 0) {
            final int h = heap[0];
            removeAt(0);
            deadline[h] = NEVER;
        }
        nextDeadline = NEVER;
    }

    private boolean less(final int a, final int b) {
        final long da = deadline[a];
        final long db = deadline[b];
        return da < db || (da == db && seq[a] < seq[b]);
    }

    private void removeAt(final int pos) {
        final int h = heap[pos];
        heapSize--;
        heapPos[h] = -1;
        if (pos == heapSize) {
            return;
        }
        final int last = heap[heapSize];
        heap[pos] = last;
        heapPos[last] = pos;
        siftDown(pos);
        siftUp(heapPos[last]);
    }

    private void siftUp(int pos) {
        final int h = heap[pos];
        while (pos > 0) {
            final int parent = (pos - 1) >>> 1;
            if (!less(h, heap[parent])) {
                break;
            }
            heap[pos] = heap[parent];
            heapPos[heap[pos]] = pos;
            pos = parent;
        }
        heap[pos] = h;
        heapPos[h] = pos;
    }

    private void siftDown(int pos) {
        final int h = heap[pos];
        while (true) {
            final int l = 2 * pos + 1;
            if (l >= heapSize) {
                break;
            }
            final int r = l + 1;
            final int c = r < heapSize && less(heap[r], heap[l]) ? r : l;
            if (!less(heap[c], h)) {
                break;
            }
            heap[pos] = heap[c];
            heapPos[heap[pos]] = pos;
            pos = c;
        }
        heap[pos] = h;
        heapPos[h] = pos;
    }

    @Override
    public String stateId() {
        return "timeline";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putLong(now);
        w.putLong(sequence);
        w.putInt(callbacks.length);
        for (int h = 0; h < callbacks.length; h++) {
            w.putLong(heapPos[h] >= 0 ? deadline[h] : NEVER);
            w.putLong(seq[h]);
        }
    }

    @Override
    public void load(final StateReader r, final int version) {
        resetAll();
        now = r.getLong();
        sequence = r.getLong();
        final int n = r.getInt();
        if (n != callbacks.length) {
            throw new IllegalStateException("timeline snapshot has " + n + " timers, this machine " + callbacks.length);
        }
        final long savedSequence = sequence;
        for (int h = 0; h < n; h++) {
            final long d = r.getLong();
            final long s = r.getLong();
            if (d != NEVER) {
                schedule(h, d);
            }
            seq[h] = s;
        }
        // Rebuild heap order with the restored sequence numbers.
        for (int i = heapSize / 2; i >= 0; i--) {
            if (heapSize > 0) {
                siftDown(i);
            }
        }
        sequence = savedSequence;
        nextDeadline = heapSize == 0 ? NEVER : deadline[heap[0]];
    }

    /** Name of a timer, for reports. */
    public String timerName(final int handle) {
        return names[handle];
    }
}
