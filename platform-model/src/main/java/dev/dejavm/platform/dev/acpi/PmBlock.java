package dev.dejavm.platform.dev.acpi;

import dev.dejavm.core.bus.PortDevice;
import dev.dejavm.core.bus.SystemControl;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;

/**
 * The ACPI fixed-hardware PM register block (ACPI 6.5, 4.8.3): PM1a_STS (+0), PM1a_EN (+2), PM1a_CNT (+4) and the
 * 24-bit PM timer (+8) at 3.579545 MHz, computed from virtual time on every read (never a host clock).
 *
 * <p>Implemented: PM1_STS write-one-to-clear with TMR_STS (bit 0) set when timer bit 23 has toggled since it was
 * last cleared; PM1_EN stored; PM1_CNT SCI_EN (bit 0) stored, and SLP_EN (bit 13) with SLP_TYP (bits 10-12) = 0
 * — QEMU's S5 value for both PIIX4 and ICH9 — requests power-off. Other sleep types (S1/S3) are ignored.
 *
 * <p>The SCI (IRQ 9, level) is asserted while SCI_EN is set and an enabled status bit is set; the only status this
 * model raises is TMR_STS, at each toggle of timer bit 23 (every 2^23 ticks, about 2.34 s), scheduled on the
 * timeline while TMR_EN and SCI_EN are both set. {@link #apmCommand} carries out the FADT's ACPI_ENABLE (0xF1) and
 * ACPI_DISABLE (0xF0) commands written to the APM control port, setting or clearing SCI_EN, as QEMU's PIIX4 and
 * ICH9 do without SMM.
 */
public final class PmBlock implements PortDevice, Resettable, Snapshottable {
    /** ACPI PM timer frequency in Hz. */
    public static final long PM_TIMER_HZ = 3_579_545L;
    public static final int PM1_STS = 0;
    public static final int PM1_EN = 2;
    public static final int PM1_CNT = 4;
    public static final int PM_TMR = 8;
    public static final int LENGTH = 12;
    public static final int TMR_STS = 1;
    public static final int SCI_EN = 1;
    public static final int SLP_EN = 1 << 13;
    public static final int SLP_TYP_SHIFT = 10;
    public static final int S5_TYPE = 0;

    private final Timeline timeline;
    private final SystemControl control;
    private int sts;
    private int en;
    private int cnt;
    /** Timer bit 23 at the last TMR_STS clear; TMR_STS is derived from the current counter. */
    private long tmrStsEpoch;
    private dev.dejavm.platform.dev.IrqLine sci = dev.dejavm.platform.dev.IrqLine.NONE;
    private final int tmrEvent;
    private boolean sciLevel;
    public static final int TMR_EN = 1;
    /** FADT ACPI_ENABLE / ACPI_DISABLE values for the SMI command port. */
    public static final int APM_ACPI_ENABLE = 0xF1, APM_ACPI_DISABLE = 0xF0;

    public PmBlock(final Timeline timeline, final SystemControl control) {
        this.timeline = timeline;
        this.control = control;
        this.tmrEvent = timeline.register("acpi-pm-timer", now -> updateSci());
    }

    /** The SCI output (ISA IRQ 9 on both boards). */
    public void setSci(final dev.dejavm.platform.dev.IrqLine line) {
        this.sci = line;
    }

    /** A value written to the APM control port (0xB2): ACPI enable/disable set or clear SCI_EN. */
    public void apmCommand(final int value) {
        if (value == APM_ACPI_ENABLE) {
            cnt |= SCI_EN;
        } else if (value == APM_ACPI_DISABLE) {
            cnt &= ~SCI_EN;
        }
        updateSci();
    }

    /** Virtual time (ns) of the first tick at or after tick {@code ticks}. */
    static long timeOfTick(final long ticks) {
        final long q = ticks / PM_TIMER_HZ;
        final long r = ticks % PM_TIMER_HZ;
        return q * 1_000_000_000L + (r * 1_000_000_000L + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
    }

    private void updateSci() {
        final boolean level = (cnt & SCI_EN) != 0 && (status() & en & 0xFFFF) != 0;
        if (level != sciLevel) {
            sciLevel = level;
            sci.set(level);
        }
        timeline.cancel(tmrEvent);
        if ((cnt & SCI_EN) != 0 && (en & TMR_EN) != 0 && (status() & TMR_STS) == 0) {
            timeline.schedule(tmrEvent, timeOfTick((tmrStsEpoch + 1) << 23));
        }
    }

    /** The 24-bit counter value at virtual time {@code ns}: floor(ns × 3579545 / 10^9) mod 2^24, exactly. */
    public static int timerAt(final long ns) {
        final long q = ns / 1_000_000_000L;
        final long r = ns % 1_000_000_000L;
        return (int) ((q * PM_TIMER_HZ + r * PM_TIMER_HZ / 1_000_000_000L) & 0xFFFFFF);
    }

    private static long ticksAt(final long ns) {
        final long q = ns / 1_000_000_000L;
        final long r = ns % 1_000_000_000L;
        return q * PM_TIMER_HZ + r * PM_TIMER_HZ / 1_000_000_000L;
    }

    private int status() {
        final boolean toggled = (ticksAt(timeline.now()) >>> 23) != tmrStsEpoch;
        return sts | (toggled ? TMR_STS : 0);
    }

    private int byteAt(final int offset) {
        return switch (offset) {
            case 0, 1 -> status() >>> (8 * offset) & 0xFF;
            case 2, 3 -> en >>> (8 * (offset - 2)) & 0xFF;
            case 4, 5 -> cnt >>> (8 * (offset - 4)) & 0xFF;
            case 8, 9, 10, 11 -> timerAt(timeline.now()) >>> (8 * (offset - 8)) & 0xFF;
            default -> 0xFF;
        };
    }

    @Override
    public int ioRead(final int offset, final int size) {
        if (offset == PM_TMR && size == 4) {
            return timerAt(timeline.now());
        }
        int v = 0;
        for (int i = 0; i < size; i++) {
            v |= byteAt(offset + i) << (8 * i);
        }
        return v;
    }

    @Override
    public void ioWrite(final int offset, final int size, final int value) {
        for (int i = 0; i < size; i++) {
            writeByte(offset + i, (value >>> (8 * i)) & 0xFF);
        }
        if (offset <= PM1_CNT + 1 && offset + size > PM1_CNT + 1) { // the write reached SLP_EN's byte
            checkSleep();
        }
        updateSci();
    }

    private void writeByte(final int offset, final int b) {
        switch (offset) {
            case 0 -> {
                if ((b & TMR_STS) != 0) {
                    tmrStsEpoch = ticksAt(timeline.now()) >>> 23;
                }
                sts &= ~(b & 0xFE);
            }
            case 1 -> sts &= ~(b << 8);
            case 2 -> en = (en & 0xFF00) | b;
            case 3 -> en = (en & 0xFF) | b << 8;
            case 4 -> cnt = (cnt & 0xFF00) | b;
            case 5 -> cnt = (cnt & 0xFF) | (b << 8);
            default -> {
                // PM timer and reserved bytes are read-only.
            }
        }
    }

    private void checkSleep() {
        if ((cnt & SLP_EN) != 0) {
            cnt &= ~SLP_EN; // write-only bit, reads as 0
            if (((cnt >> SLP_TYP_SHIFT) & 7) == S5_TYPE) {
                control.requestPowerOff();
            }
        }
    }

    @Override
    public void reset(final ResetKind kind) {
        sts = 0;
        en = 0;
        cnt = 0;
        tmrStsEpoch = ticksAt(timeline.now()) >>> 23;
        updateSci();
    }

    @Override
    public String stateId() {
        return "acpi-pm";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putShort(sts).putShort(en).putShort(cnt).putLong(tmrStsEpoch);
    }

    @Override
    public void load(final StateReader r, final int version) {
        sts = r.getShort();
        en = r.getShort();
        cnt = r.getShort();
        tmrStsEpoch = r.getLong();
        sciLevel = false;
        updateSci();
    }
}
