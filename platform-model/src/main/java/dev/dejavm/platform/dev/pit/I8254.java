package dev.dejavm.platform.dev.pit;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.platform.dev.IrqLine;

/**
 * Intel 8254 programmable interval timer at 0x40-0x43, input clock 1.193182 MHz. Counters are computed on read from
 * the virtual time at which the count was loaded (never ticked); for channel 0 only the next rising edge of OUT is
 * scheduled on the timeline, and each edge pulses IRQ0.
 *
 * <p>Implemented (8254 datasheet): control words with modes 0-5 (6 and 7 alias 2 and 3), LSB/MSB/LSB-then-MSB access,
 * counter latch and read-back (count and status), count values per mode as QEMU's i8254 computes them (mode 3 counts
 * down by two), channel 0 interrupts for modes 0 and 4 (one edge) and 2 and 3 (periodic). Gates are always high
 * (the port 0x61 gate of channel 2 is not modelled yet); BCD counting is accepted but counts in binary.
 */
public final class I8254 implements PortDevice, Resettable, Snapshottable {
    public static final long FREQUENCY_HZ = 1_193_182L;
    private static final long NS = 1_000_000_000L;

    private final Timeline timeline;
    private final IrqLine irq0;
    private final int timer;

    private final int[] reload = new int[3];     // 1..65536 once loaded
    private final int[] mode = new int[3];
    private final int[] access = new int[3];     // 1 LSB, 2 MSB, 3 LSB then MSB
    private final boolean[] bcd = new boolean[3];
    private final long[] loadTime = new long[3];
    private final boolean[] counting = new boolean[3];
    private final boolean[] writeMsbNext = new boolean[3];
    private final int[] writeLsb = new int[3];
    private final boolean[] readMsbNext = new boolean[3];
    private final boolean[] countLatched = new boolean[3];
    private final int[] latchValue = new int[3];
    private final boolean[] statusLatched = new boolean[3];
    private final int[] statusValue = new int[3];
    /** Channel 0: index of the next OUT rising edge since the count was loaded. */
    private long nextEdge;

    public I8254(final Timeline timeline, final IrqLine irq0) {
        this.timeline = timeline;
        this.irq0 = irq0;
        this.timer = timeline.register("pit-ch0", this::onEdge);
    }

    /** Input-clock ticks in {@code ns} nanoseconds, exactly floor(ns × f / 10^9). */
    static long ticks(final long ns) {
        return ns / NS * FREQUENCY_HZ + ns % NS * FREQUENCY_HZ / NS;
    }

    /** The first virtual time at which {@code t} ticks have elapsed: ceil(t × 10^9 / f). */
    static long nanosFor(final long t) {
        return t / FREQUENCY_HZ * NS + (t % FREQUENCY_HZ * NS + FREQUENCY_HZ - 1) / FREQUENCY_HZ;
    }

    private int effectiveMode(final int ch) {
        final int m = mode[ch];
        return m >= 6 ? m - 4 : m;
    }

    /** The counting element's value now (datasheet "Read Operations"; QEMU pit_get_count). */
    private int count(final int ch) {
        if (!counting[ch]) {
            return reload[ch] & 0xFFFF;
        }
        final long d = ticks(timeline.now() - loadTime[ch]);
        final int n = reload[ch];
        return switch (effectiveMode(ch)) {
            case 2 -> (int) (n - d % n) & 0xFFFF;
            case 3 -> (int) (n - (2 * d) % n) & 0xFFFF;
            default -> (int) ((n - d) & 0xFFFF);
        };
    }

    private boolean out(final int ch) {
        if (!counting[ch]) {
            return effectiveMode(ch) != 0;
        }
        final long d = ticks(timeline.now() - loadTime[ch]);
        final int n = reload[ch];
        return switch (effectiveMode(ch)) {
            case 0 -> d >= n;
            case 1 -> d >= n;
            case 2 -> d % n != n - 1;
            case 3 -> d % n < (n + 1) / 2;
            default -> d != n; // 4, 5: low for one clock when the count expires
        };
    }

    @Override
    public int ioRead(final int offset, final int size) {
        if (offset == 3) {
            return 0xFF; // the control word register is write-only
        }
        final int ch = offset;
        if (statusLatched[ch]) {
            statusLatched[ch] = false;
            return statusValue[ch];
        }
        final int v = countLatched[ch] ? latchValue[ch] : count(ch);
        final int result;
        switch (access[ch]) {
            case 1 -> {
                result = v & 0xFF;
                countLatched[ch] = false;
            }
            case 2 -> {
                result = v >>> 8;
                countLatched[ch] = false;
            }
            default -> {
                result = readMsbNext[ch] ? v >>> 8 : v & 0xFF;
                if (readMsbNext[ch]) {
                    countLatched[ch] = false;
                }
                readMsbNext[ch] = !readMsbNext[ch];
            }
        }
        return result;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        final int v = value & 0xFF;
        if (offset == 3) {
            controlWord(v);
            return;
        }
        final int ch = offset;
        switch (access[ch]) {
            case 1 -> load(ch, v);
            case 2 -> load(ch, v << 8);
            default -> {
                if (!writeMsbNext[ch]) {
                    writeLsb[ch] = v;
                    writeMsbNext[ch] = true;
                } else {
                    writeMsbNext[ch] = false;
                    load(ch, writeLsb[ch] | v << 8);
                }
            }
        }
    }

    private void controlWord(final int v) {
        final int sc = v >> 6;
        if (sc == 3) { // read-back command
            for (int ch = 0; ch < 3; ch++) {
                if ((v & (2 << ch)) != 0) {
                    if ((v & 0x10) == 0 && !statusLatched[ch]) {
                        statusLatched[ch] = true;
                        statusValue[ch] = (out(ch) ? 0x80 : 0) | (counting[ch] ? 0 : 0x40) | access[ch] << 4 | mode[ch] << 1 | (bcd[ch] ? 1 : 0);
                    }
                    if ((v & 0x20) == 0 && !countLatched[ch]) {
                        countLatched[ch] = true;
                        latchValue[ch] = count(ch);
                    }
                }
            }
            return;
        }
        final int rw = (v >> 4) & 3;
        if (rw == 0) { // counter latch command
            if (!countLatched[sc]) {
                countLatched[sc] = true;
                latchValue[sc] = count(sc);
            }
            return;
        }
        access[sc] = rw;
        mode[sc] = (v >> 1) & 7;
        bcd[sc] = (v & 1) != 0;
        counting[sc] = false;
        writeMsbNext[sc] = false;
        readMsbNext[sc] = false;
        countLatched[sc] = false;
        if (sc == 0) {
            timeline.cancel(timer); // the IRQ0 line is left as it is: only OUT's next rising edge (a count loaded) matters
        }
    }

    private void load(final int ch, final int value) {
        reload[ch] = value == 0 ? 0x10000 : value;
        loadTime[ch] = timeline.now();
        counting[ch] = true;
        if (ch == 0) {
            nextEdge = 1;
            scheduleEdge();
        }
    }

    /**
     * Schedules channel 0's next rising OUT edge: modes 2 and 3 every period, modes 0 and 4 once at terminal count;
     * the hardware-triggered modes 1 and 5 need a gate edge, which never comes with the gate tied high.
     */
    private void scheduleEdge() {
        final int m = effectiveMode(0);
        final boolean periodic = m == 2 || m == 3;
        final boolean oneShot = (m == 0 || m == 4) && nextEdge == 1;
        if (periodic || oneShot) {
            timeline.schedule(timer, loadTime[0] + nanosFor(nextEdge * reload[0]));
        }
    }

    private void onEdge(final long now) {
        irq0.set(false);
        irq0.set(true);
        nextEdge++;
        scheduleEdge();
    }

    @Override
    public int maxAccessSize() {
        return 1;
    }

    @Override
    public void reset(final ResetKind kind) {
        for (int ch = 0; ch < 3; ch++) {
            // QEMU's power-on state (i8254_common.c): every counter in mode 3 with count 0x10000, counting from the
            // reset, so channel 0 interrupts at 18.2 Hz until firmware reprograms it.
            reload[ch] = 0x10000;
            mode[ch] = 3;
            access[ch] = 3;
            bcd[ch] = false;
            loadTime[ch] = timeline.now();
            counting[ch] = true;
            writeMsbNext[ch] = false;
            writeLsb[ch] = 0;
            readMsbNext[ch] = false;
            countLatched[ch] = false;
            latchValue[ch] = 0;
            statusLatched[ch] = false;
            statusValue[ch] = 0;
        }
        timeline.cancel(timer);
        irq0.set(false);
        nextEdge = 1;
        scheduleEdge();
    }

    @Override
    public String stateId() {
        return "i8254";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        for (int ch = 0; ch < 3; ch++) {
            w.putInt(reload[ch]).putByte(mode[ch]).putByte(access[ch]).putBoolean(bcd[ch]).putLong(loadTime[ch])
                    .putBoolean(counting[ch]).putBoolean(writeMsbNext[ch]).putByte(writeLsb[ch]).putBoolean(readMsbNext[ch])
                    .putBoolean(countLatched[ch]).putInt(latchValue[ch]).putBoolean(statusLatched[ch]).putByte(statusValue[ch]);
        }
        w.putLong(nextEdge);
    }

    @Override
    public void load(final StateReader r, final int version) {
        for (int ch = 0; ch < 3; ch++) {
            reload[ch] = Math.max(1, Math.min(0x10000, r.getInt()));
            mode[ch] = r.getByte() & 7;
            access[ch] = Math.max(1, r.getByte() & 3);
            bcd[ch] = r.getBoolean();
            loadTime[ch] = r.getLong();
            counting[ch] = r.getBoolean();
            writeMsbNext[ch] = r.getBoolean();
            writeLsb[ch] = r.getByte();
            readMsbNext[ch] = r.getBoolean();
            countLatched[ch] = r.getBoolean();
            latchValue[ch] = r.getInt();
            statusLatched[ch] = r.getBoolean();
            statusValue[ch] = r.getByte();
        }
        nextEdge = r.getLong();
        // The timeline snapshot restores the pending edge itself.
    }
}
