package dev.dejavm.platform.dev.post;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;

/**
 * The POST diagnostic port (0x80): firmware writes progress codes. Keeps the last code, a count, and the last
 * {@link #HISTORY} codes for reports. Reads return the last code written (what a POST card latch shows; QEMU's pc
 * maps a dummy device there whose reads give 0 — the journal records whatever the guest saw).
 */
public final class PostPort implements PortDevice, Resettable, Snapshottable {
    public static final int HISTORY = 256;

    private final int[] history = new int[HISTORY];
    private long count;
    private int last;

    @Override
    public int ioRead(final int offset, final int size) {
        return last;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        last = value & 0xFF;
        history[(int) (count % HISTORY)] = last;
        count++;
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    public int lastCode() {
        return last;
    }

    public long count() {
        return count;
    }

    /** The codes written, oldest first (at most {@link #HISTORY}). */
    public int[] codes() {
        final int n = (int) Math.min(count, HISTORY);
        final int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = history[(int) ((count - n + i) % HISTORY)];
        }
        return r;
    }

    @Override
    public void reset(final ResetKind kind) {
        // A POST card keeps showing the last code across resets; the history is per run.
    }

    @Override
    public String stateId() {
        return "post";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putLong(count).putInt(last);
        for (final int h : history) {
            w.putByte(h);
        }
    }

    @Override
    public void load(final StateReader r, final int version) {
        count = r.getLong();
        last = r.getInt();
        for (int i = 0; i < HISTORY; i++) {
            history[i] = r.getByte();
        }
    }
}
