package dev.dejavm.platform.dev.lapic;

import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.cpu.InterruptSource;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;

/**
 * The local APIC of the one CPU, in xAPIC mode at 0xFEE00000 (Intel SDM Vol. 3A, chapter 11), and the CPU's
 * interrupt input: it arbitrates between its own interrupts (the timer) and the 8259A's, which arrive through
 * LINT0 in ExtINT mode.
 *
 * <ul>
 *   <li>Registers: ID 0, version 0x00050014 (version 0x14, six LVT entries as QEMU's), TPR/PPR, EOI, LDR, DFR,
 *       SVR, ISR/TMR/IRR, ESR, ICR, the LVT entries (CMCI, timer, thermal, performance, LINT0, LINT1, error),
 *       timer initial/current count and divide configuration.</li>
 *   <li>Timer: one-shot and periodic, counting at 1 GHz divided by the divide configuration (QEMU's APIC bus
 *       clock), computed from virtual time on read; expiry is scheduled on the timeline. TSC-deadline mode is not
 *       offered (CPUID does not report it) and behaves as one-shot.</li>
 *   <li>Interrupts: fixed-mode vectors in IRR are delivered when their priority class exceeds the processor
 *       priority (max of TPR and the highest in-service class); EOI retires the highest in-service vector. The PIC
 *       is accepted while the APIC is globally disabled or LINT0 is unmasked; at reset LINT0 is ExtINT, unmasked,
 *       as QEMU sets it for the bootstrap processor, so firmware that never touches the APIC keeps its PIC.</li>
 *   <li>I/O APIC messages ({@link #deliver}, {@link #accepts}): fixed and lowest-priority vectors enter IRR with
 *       their trigger mode in TMR; the EOI of a level-triggered vector is broadcast back to the I/O APIC. NMI
 *       messages go to the CPU's NMI input; ExtINT takes the next vector from the 8259A.</li>
 *   <li>Interprocessor interrupts: there is no other CPU. ICR writes are accepted (delivery status stays idle); a
 *       fixed or NMI IPI to itself is delivered;
 *       a fixed IPI to self sets the vector in IRR.</li>
 * </ul>
 */
public final class LocalApic implements MmioDevice, InterruptSource, Resettable, Snapshottable, dev.dejavm.platform.dev.ioapic.IoApic.Sink {
    public static final long BASE = 0xFEE0_0000L;
    public static final int SIZE = 0x1000;
    static final int VERSION = 0x0005_0014;
    static final int LVT_MASKED = 1 << 16;
    /** LVT index: CMCI, timer, thermal, performance, LINT0, LINT1, error (registers 0x2F0, 0x320..0x370). */
    static final int LVT_CMCI = 0, LVT_TIMER = 1, LVT_THERMAL = 2, LVT_PERF = 3, LVT_LINT0 = 4, LVT_LINT1 = 5, LVT_ERROR = 6;

    private final Timeline timeline;
    private final InterruptSource pic;
    private final int timer;

    private int tpr;
    private int ldr;
    private int dfr;
    private int svr;
    private int esr;
    private int icrLow;
    private int icrHigh;
    private final int[] lvt = new int[7];
    private final int[] irr = new int[8];
    private final int[] isr = new int[8];
    private final int[] tmr = new int[8];
    private int divideConfig;
    private long initialCount;
    private long loadTime;
    private final java.util.function.LongSupplier apicBaseMsr;

    /**
     * @param pic         the 8259A pair, wired to LINT0
     * @param apicBaseMsr the CPU's IA32_APIC_BASE: with bit 11 clear the APIC is globally disabled and only the PIC
     *                    interrupts the CPU
     */
    private Runnable nmiSink = () -> { };
    private java.util.function.IntConsumer eoiBroadcast = v -> { };
    /** An ExtINT message from the I/O APIC is waiting: the next acknowledge takes the 8259A's vector. */
    private boolean extInt;

    /** Where NMIs this APIC delivers go (the CPU's NMI input). */
    public void setNmiSink(final Runnable sink) {
        this.nmiSink = sink;
    }

    /** Where the EOI of a level-triggered vector is broadcast (the I/O APIC, which clears its Remote IRR). */
    public void setEoiBroadcast(final java.util.function.IntConsumer listener) {
        this.eoiBroadcast = listener;
    }

    public LocalApic(final Timeline timeline, final InterruptSource pic, final java.util.function.LongSupplier apicBaseMsr) {
        this.timeline = timeline;
        this.pic = pic;
        this.apicBaseMsr = apicBaseMsr;
        this.timer = timeline.register("lapic-timer", now -> onTimer());
        reset(ResetKind.POWER_ON);
    }

    private boolean globallyEnabled() {
        return (apicBaseMsr.getAsLong() & 0x800) != 0;
    }

    @Override
    public void reset(final ResetKind kind) {
        tpr = 0;
        ldr = 0;
        dfr = 0xFFFF_FFFF;
        svr = 0xFF;
        esr = 0;
        icrLow = 0;
        icrHigh = 0;
        java.util.Arrays.fill(lvt, LVT_MASKED);
        lvt[LVT_LINT0] = 0x700; // ExtINT, unmasked: QEMU's reset value for the bootstrap processor
        java.util.Arrays.fill(irr, 0);
        java.util.Arrays.fill(isr, 0);
        java.util.Arrays.fill(tmr, 0);
        extInt = false;
        divideConfig = 0;
        initialCount = 0;
        loadTime = timeline.now();
        timeline.cancel(timer);
    }

    // ---- registers ---------------------------------------------------------------------------------------

    @Override
    public int minAccessSize() {
        return 4;
    }

    @Override
    public int maxAccessSize() {
        return 4;
    }

    @Override
    public long mmioRead(final long offset, final int size) {
        final int reg = (int) (offset & 0xFF0);
        if ((offset & 0xF) != 0) {
            return 0; // only the first dword of each 16-byte register exists
        }
        final int v = switch (reg) {
            case 0x020 -> 0; // APIC ID 0
            case 0x030 -> VERSION;
            case 0x080 -> tpr;
            case 0x090 -> 0; // APR
            case 0x0A0 -> ppr();
            case 0x0D0 -> ldr;
            case 0x0E0 -> dfr;
            case 0x0F0 -> svr;
            case 0x280 -> esr;
            case 0x2F0 -> lvt[LVT_CMCI];
            case 0x300 -> icrLow & ~(1 << 12); // delivery status: idle
            case 0x310 -> icrHigh;
            case 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 -> lvt[LVT_TIMER + (reg - 0x320) / 0x10];
            case 0x380 -> (int) initialCount;
            case 0x390 -> (int) currentCount();
            case 0x3E0 -> divideConfig;
            default -> {
                if (reg >= 0x100 && reg < 0x180) {
                    yield isr[(reg - 0x100) >> 4];
                } else if (reg >= 0x180 && reg < 0x200) {
                    yield tmr[(reg - 0x180) >> 4];
                } else if (reg >= 0x200 && reg < 0x280) {
                    yield irr[(reg - 0x200) >> 4];
                }
                yield 0;
            }
        };
        return v & 0xFFFF_FFFFL;
    }

    @Override
    public void mmioWrite(final long offset, final int size, final long value) {
        if ((offset & 0xF) != 0) {
            return;
        }
        final int v = (int) value;
        switch ((int) (offset & 0xFF0)) {
            case 0x080 -> tpr = v & 0xFF;
            case 0x0B0 -> eoi();
            case 0x0D0 -> ldr = v & 0xFF00_0000;
            case 0x0E0 -> dfr = v | 0x0FFF_FFFF;
            case 0x0F0 -> {
                svr = v & 0x13FF;
                if ((svr & 0x100) == 0) {
                    for (int i = 0; i < lvt.length; i++) {
                        lvt[i] |= LVT_MASKED; // software disable masks every LVT entry (SDM 11.4.7.2)
                    }
                }
            }
            case 0x280 -> esr = 0; // a write clears the error status
            case 0x2F0 -> lvt[LVT_CMCI] = lvtValue(v);
            case 0x300 -> {
                icrLow = v & 0xFFFC_CFFF;
                ipi();
            }
            case 0x310 -> icrHigh = v & 0xFF00_0000;
            case 0x320 -> {
                lvt[LVT_TIMER] = lvtValue(v) & 0x7_10FF;
                scheduleTimer();
            }
            case 0x330, 0x340, 0x350, 0x360, 0x370 -> lvt[LVT_TIMER + ((int) (offset & 0xFF0) - 0x320) / 0x10] = lvtValue(v);
            case 0x380 -> {
                initialCount = v & 0xFFFF_FFFFL;
                loadTime = timeline.now();
                scheduleTimer();
            }
            case 0x3E0 -> {
                // Keep the count consistent across a divider change: restart from the current count.
                final long current = currentCount();
                divideConfig = v & 0xB;
                initialCount = current;
                loadTime = timeline.now();
                scheduleTimer();
            }
            default -> {
                // read-only or reserved: ignored
            }
        }
    }

    private int lvtValue(final int v) {
        final int masked = (svr & 0x100) == 0 ? v | LVT_MASKED : v;
        return masked & 0x0003_F7FF;
    }

    // ---- timer -------------------------------------------------------------------------------------------

    /** Divide configuration bits 0, 1 and 3 (SDM Figure 11-10): 2, 4, 8, 16, 32, 64, 128 or 1. */
    int divisor() {
        final int code = (divideConfig & 3) | ((divideConfig >> 1) & 4);
        return code == 7 ? 1 : 2 << code;
    }

    private boolean periodic() {
        return ((lvt[LVT_TIMER] >> 17) & 3) == 1;
    }

    long currentCount() {
        if (initialCount == 0) {
            return 0;
        }
        final long ticks = (timeline.now() - loadTime) / divisor();
        if (periodic()) {
            return initialCount - ticks % initialCount;
        }
        return ticks >= initialCount ? 0 : initialCount - ticks;
    }

    private void scheduleTimer() {
        timeline.cancel(timer);
        if (initialCount == 0) {
            return;
        }
        final long period = initialCount * divisor();
        final long elapsed = timeline.now() - loadTime;
        if (periodic()) {
            final long next = loadTime + (elapsed / period + 1) * period;
            timeline.schedule(timer, next);
        } else if (elapsed < period) {
            timeline.schedule(timer, loadTime + period);
        }
    }

    private void onTimer() {
        if ((lvt[LVT_TIMER] & LVT_MASKED) == 0) {
            setIrr(lvt[LVT_TIMER] & 0xFF);
        }
        if (periodic()) {
            scheduleTimer();
        }
    }

    // ---- interrupt delivery ------------------------------------------------------------------------------

    private void setIrr(final int vector) {
        if (vector >= 16) {
            irr[vector >> 5] |= 1 << (vector & 31);
        } else {
            esr |= 1 << 6; // received illegal vector
        }
    }

    /**
     * Physical destination: APIC ID 0 or the broadcast 0xFF. Logical: flat model (DFR model 0xF) when {@code dest}
     * shares a bit with LDR[31:24]; cluster model when the cluster (high nibble) matches or is 0xF and the member
     * bits intersect (SDM 11.6.2.2).
     */
    @Override
    public boolean accepts(final int dest, final boolean logical) {
        if (!logical) {
            return dest == 0 || dest == 0xFF;
        }
        final int id = ldr >>> 24;
        if ((dfr >>> 28) == 0xF) {
            return (dest & id) != 0;
        }
        final int cluster = dest >>> 4;
        return (cluster == 0xF || cluster == id >>> 4) && (dest & id & 0xF) != 0;
    }

    /**
     * A message from the I/O APIC: a fixed or lowest-priority vector enters IRR (TMR records whether it is level
     * triggered, so that its EOI is broadcast back), NMI goes to the CPU's NMI input, ExtINT makes the next
     * acknowledge fetch the 8259A's vector. Vectors 0-15 are illegal and set ESR bit 6 instead.
     */
    @Override
    public void deliver(final int vector, final int mode, final boolean level) {
        switch (mode) {
            case dev.dejavm.platform.dev.ioapic.IoApic.FIXED, dev.dejavm.platform.dev.ioapic.IoApic.LOWEST -> {
                if (!globallyEnabled() || (svr & 0x100) == 0) {
                    return; // a disabled APIC does not accept interrupt messages
                }
                setIrr(vector & 0xFF);
                if ((vector & 0xFF) >= 16) {
                    final int v = vector & 0xFF;
                    if (level) {
                        tmr[v >> 5] |= 1 << (v & 31);
                    } else {
                        tmr[v >> 5] &= ~(1 << (v & 31));
                    }
                }
            }
            case dev.dejavm.platform.dev.ioapic.IoApic.NMI -> nmiSink.run();
            case dev.dejavm.platform.dev.ioapic.IoApic.EXTINT -> extInt = true;
            default -> {
                // nothing else is sent to this APIC
            }
        }
    }

    private void ipi() {
        final int shorthand = (icrLow >> 18) & 3;
        final int mode = (icrLow >> 8) & 7;
        final boolean toSelf = shorthand == 1 || shorthand == 2 || (shorthand == 0 && (icrHigh >>> 24) == 0);
        if (mode == 0 && toSelf) {
            setIrr(icrLow & 0xFF);
        } else if (mode == 4 && toSelf) {
            nmiSink.run(); // delivery mode NMI: the CPU's NMI input, the vector field ignored
        }
        // INIT, SIPI and IPIs to other CPUs: there are none to receive them.
    }

    private static int highest(final int[] bits) {
        for (int i = 7; i >= 0; i--) {
            if (bits[i] != 0) {
                return i * 32 + 31 - Integer.numberOfLeadingZeros(bits[i]);
            }
        }
        return -1;
    }

    private int ppr() {
        final int isrv = highest(isr);
        final int isrClass = isrv < 0 ? 0 : isrv & 0xF0;
        return (tpr & 0xF0) >= isrClass ? tpr : isrClass;
    }

    private int deliverable() {
        if (!globallyEnabled() || (svr & 0x100) == 0) {
            return -1;
        }
        final int v = highest(irr);
        return v >= 0 && (v & 0xF0) > (ppr() & 0xF0) ? v : -1;
    }

    private boolean acceptsPic() {
        return !globallyEnabled() || (lvt[LVT_LINT0] & LVT_MASKED) == 0;
    }

    /** Whether the next acknowledge takes a vector of the APIC's own (not the 8259A's). */
    public boolean apicPending() {
        return deliverable() >= 0;
    }

    @Override
    public boolean pending() {
        return deliverable() >= 0 || ((acceptsPic() || extInt) && pic.pending());
    }

    @Override
    public int acknowledge() {
        final int v = deliverable();
        if (v >= 0) {
            irr[v >> 5] &= ~(1 << (v & 31));
            isr[v >> 5] |= 1 << (v & 31);
            return v;
        }
        if (extInt && pic.pending()) {
            extInt = false;
            return pic.acknowledge();
        }
        return acceptsPic() ? pic.acknowledge() : -1;
    }

    private void eoi() {
        final int v = highest(isr);
        if (v >= 0) {
            isr[v >> 5] &= ~(1 << (v & 31));
            if ((tmr[v >> 5] & (1 << (v & 31))) != 0) {
                tmr[v >> 5] &= ~(1 << (v & 31));
                eoiBroadcast.accept(v);
            }
        }
    }

    // ---- state -------------------------------------------------------------------------------------------

    @Override
    public String stateId() {
        return "lapic";
    }

    @Override
    public int stateVersion() {
        return 2;
    }

    @Override
    public void save(final StateWriter w) {
        w.putInt(tpr).putInt(ldr).putInt(dfr).putInt(svr).putInt(esr).putInt(icrLow).putInt(icrHigh);
        for (final int[] a : new int[][] {lvt, irr, isr, tmr}) {
            for (final int x : a) {
                w.putInt(x);
            }
        }
        w.putInt(divideConfig).putLong(initialCount).putLong(loadTime);
        w.putInt(extInt ? 1 : 0);
    }

    @Override
    public void load(final StateReader r, final int version) {
        tpr = r.getInt();
        ldr = r.getInt();
        dfr = r.getInt();
        svr = r.getInt();
        esr = r.getInt();
        icrLow = r.getInt();
        icrHigh = r.getInt();
        for (final int[] a : new int[][] {lvt, irr, isr, tmr}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = r.getInt();
            }
        }
        divideConfig = r.getInt();
        initialCount = r.getLong();
        loadTime = r.getLong();
        extInt = version >= 2 && r.getInt() != 0;
        scheduleTimer();
    }
}
