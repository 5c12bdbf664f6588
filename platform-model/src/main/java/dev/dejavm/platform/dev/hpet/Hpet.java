package dev.dejavm.platform.dev.hpet;

import dev.dejavm.core.bus.MmioDevice;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.Resettable;
import dev.dejavm.core.state.Snapshottable;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;

import java.util.Arrays;

/**
 * High Precision Event Timer block at 0xFED00000 (IA-PC HPET Specification 1.0a, Intel, October 2004), with the
 * register values QEMU's {@code hpet} shows firmware: one timer block of three comparators, a 64-bit main counter
 * at 100 MHz (period 10,000,000 fs), vendor 0x8086, revision 1, LegacyReplacement capable.
 *
 * <p>Implemented:
 * <ul>
 *   <li>Registers (spec 2.3.1): General Capabilities and ID 0x000 (2.3.4, read-only 0x00989680_8086A201), General
 *       Configuration 0x010 (2.3.5: ENABLE_CNF, LEG_RT_CNF), General Interrupt Status 0x020 (2.3.6, write 1 to
 *       clear), Main Counter 0x0F0 (2.3.7), and per timer N at 0x100 + 0x20 N: Configuration and Capabilities
 *       (2.3.8), Comparator at +0x08 (2.3.9), FSB Interrupt Route at +0x10 (2.3.10). Aligned 32-bit accesses to
 *       either half and aligned 64-bit accesses; anything else reads all-ones and writes nothing. Reserved offsets
 *       and the timers beyond the third read 0 and ignore writes; read-only bits ignore writes.</li>
 *   <li>Main counter: computed on read from virtual time, {@code base + (now - enableTime) / 10 ns}, only while
 *       ENABLE_CNF is set; halting keeps its value. It is written only while halted, as 2.3.7 requires of software;
 *       a write while the counter runs is ignored (QEMU's observable behaviour: the running count wins).</li>
 *   <li>Comparators (2.3.9.2): a match is the counter stepping onto the comparator value, so a comparator equal to
 *       the counter at the moment it is written (or when the counter is enabled) matches only after a full wrap.
 *       Each match is one timeline event for the timer, scheduled at its exact virtual time.
 *       <ul>
 *         <li>Non-periodic (2.3.9.2.1): an interrupt at every match. In 64-bit mode the next match after one is
 *             2^64 ticks away, so a one-shot fires once. In 32-bit mode (Tn_32MODE_CNF) the comparator holds 32
 *             bits, the low 32 bits of the counter are compared, so the match recurs every 2^32 ticks (43 s), and
 *             the timer also interrupts when the low 32 bits of the counter wrap to 0, the extra interrupt the spec
 *             and the chipset datasheets give 32-bit non-periodic timers (QEMU raises it one tick early, at
 *             0xFFFFFFFF; here it is at the wrap itself).</li>
 *         <li>Periodic (2.3.9.2.2): at each match the comparator advances by the last value written to it (modulo
 *             2^32 in 32-bit mode). A comparator write sets the comparator only in non-periodic mode or with
 *             Tn_VAL_SET_CNF set; every comparator write sets the period, so a write without Tn_VAL_SET_CNF changes
 *             only the period. Tn_VAL_SET_CNF clears after the next comparator write. A period of 0 leaves the
 *             comparator where it is: the next match is a full wrap away (never in 64-bit mode, 2^32 ticks in
 *             32-bit mode), so a zero period never schedules a burst. If the timeline fires a match late (the run
 *             loop ran past several periods before firing timers), the missed periods coalesce into the one
 *             interrupt and the comparator moves on by whole periods to the first match still ahead, so no
 *             callback ever schedules an event in the past.</li>
 *       </ul></li>
 *   <li>Interrupts (2.3.8, 2.3.6): edge mode pulses the timer's output (a raise then a lower) when Tn_INT_ENB_CNF is
 *       set. Level mode sets the timer's status bit at every match, whether or not Tn_INT_ENB_CNF is set (2.3.8:
 *       with the bit clear "the timer will still operate and generate appropriate status bits, but will not cause
 *       an interrupt"; QEMU sets no status then), and drives its output high while status, Tn_INT_ENB_CNF and
 *       ENABLE_CNF are all set, so writing 1 to the status bit deasserts it, halting the counter masks it (2.3.5:
 *       halting disables all timer interrupts) and enabling it again with the status still set re-asserts it.
 *       Switching a timer to edge mode clears its status bit (2.3.6: the bit only has meaning in level mode).</li>
 *   <li>Routing: timer N drives I/O APIC pin Tn_INT_ROUTE_CNF (0-31). A route that is not in the timer's
 *       Tn_INT_ROUTE_CAP (the constructor's {@code intRouteCap}) is kept, reads back as written and is delivered to
 *       that pin, as QEMU does (2.3.8 only says such a value may read back differently and that software must write
 *       valid values); the board ignores pins its I/O APIC does not have. With LEG_RT_CNF set, timers 0 and 1 ignore their route and
 *       drive ISA IRQ 0 and ISA IRQ 8 ({@link Lines#isaIrq}, 2.3.5 LegacyReplacement Route), and the board mutes
 *       the 8254's and the RTC's own interrupts ({@link #legacyReplacement()}, which follows LEG_RT_CNF alone as in
 *       QEMU). Outputs are wired-OR: several timers routed to one pin hold it high while any of them asserts it,
 *       and a pulse on an output another timer holds high is invisible. {@link Lines} is called only when an
 *       output changes level.</li>
 *   <li>Reset (power-on and warm alike): counter 0 and halted, legacy routing off, timer configurations 0 (edge,
 *       interrupt disabled, non-periodic, 64-bit, route 0), comparators all ones, periods 0, status 0, pending
 *       matches cancelled and any output this block holds high lowered.</li>
 *   <li>Snapshot: the registers plus each timer's pending match (as a tick count since the counter was enabled);
 *       {@link #load} schedules those matches again at the same virtual times and recomputes, without calling
 *       {@link Lines}, which outputs are held high. The deadlines equal the ones a {@link Timeline} snapshot holds;
 *       restoring the timeline after the devices also restores the FIFO order among equal deadlines.</li>
 * </ul>
 *
 * <p>Not implemented: FSB (MSI) interrupt delivery (Tn_FSB_INT_DEL_CAP reads 0, Tn_FSB_EN_CNF is read-only 0 and the
 * FSB route registers read 0 and ignore writes), more than one timer block, a 32-bit main counter.
 */
public final class Hpet implements MmioDevice, Resettable, Snapshottable {
    public static final long BASE = 0xFED0_0000L;
    public static final int SIZE = 0x400;
    public static final int TIMERS = 3;
    /** Main counter tick period in femtoseconds: 10 ns, 100 MHz. */
    public static final long PERIOD_FS = 10_000_000L;
    static final long TICK_NS = PERIOD_FS / 1_000_000L;

    /** Register offsets (spec 2.3.1). */
    static final int GCAP_ID = 0x000, GEN_CONF = 0x010, GINTR_STA = 0x020, MAIN_CNT = 0x0F0;
    static final int TIMER_BASE = 0x100, TIMER_STRIDE = 0x20;
    static final int TN_CONF = 0x00, TN_COMPARATOR = 0x08, TN_FSB_ROUTE = 0x10;

    /** General Capabilities and ID fields (2.3.4). */
    static final long REV_ID = 0x01, COUNT_SIZE_CAP = 1L << 13, LEG_RT_CAP = 1L << 15, VENDOR_ID = 0x8086;
    static final long CAPABILITIES = PERIOD_FS << 32 | VENDOR_ID << 16 | LEG_RT_CAP | COUNT_SIZE_CAP
            | (long) (TIMERS - 1) << 8 | REV_ID;

    /** General Configuration bits (2.3.5). */
    static final long ENABLE_CNF = 1L, LEG_RT_CNF = 1L << 1;

    /** Timer N Configuration and Capabilities bits (2.3.8). */
    static final long TN_INT_TYPE_CNF = 1L << 1, TN_INT_ENB_CNF = 1L << 2, TN_TYPE_CNF = 1L << 3,
            TN_PER_INT_CAP = 1L << 4, TN_SIZE_CAP = 1L << 5, TN_VAL_SET_CNF = 1L << 6, TN_32MODE_CNF = 1L << 8,
            TN_INT_ROUTE_CNF = 0x1FL << 9, TN_FSB_EN_CNF = 1L << 14, TN_FSB_INT_DEL_CAP = 1L << 15;
    static final int TN_INT_ROUTE_SHIFT = 9;
    /** The bits software can change; the rest are capabilities or reserved. */
    static final long TN_WRITABLE = TN_INT_TYPE_CNF | TN_INT_ENB_CNF | TN_TYPE_CNF | TN_VAL_SET_CNF | TN_32MODE_CNF
            | TN_INT_ROUTE_CNF;

    private static final int ALL_TIMERS = (1 << TIMERS) - 1;
    private static final long LOW32 = 0xFFFF_FFFFL;
    private static final long NONE = -1L;
    /** Output index: I/O APIC pins 0-31, then ISA IRQ 0 and ISA IRQ 8 (legacy replacement). */
    private static final int OUT_ISA_IRQ0 = 32, OUT_ISA_IRQ8 = 33, OUTPUTS = 34;

    /**
     * Where the timers' interrupts go. The board fans ISA IRQs out to the 8259 and the I/O APIC; each call is a
     * change of that output's level, and an edge interrupt is a raise followed by a lower.
     */
    public interface Lines {
        /** ISA IRQ 0 (timer 0) or 8 (timer 1) in LegacyReplacement mode: 8259 IRQ0 / I/O APIC pin 2, IRQ8 / pin 8. */
        void isaIrq(int irq, boolean level);

        /** I/O APIC pin 0-31 from Tn_INT_ROUTE_CNF; a pin the board's I/O APIC lacks must be ignored. */
        void ioapicPin(int pin, boolean level);

        /** LEG_RT_CNF changed: the board mutes (true) or restores (false) the 8254's IRQ0 and the RTC's IRQ8. */
        default void legacyReplacementChanged(final boolean enabled) {
        }
    }

    private final Timeline timeline;
    private final long intRouteCap;
    private final Lines lines;
    private final int[] handles = new int[TIMERS];

    private long config;
    private int isr;
    /** The counter value when halted; while running, its value at {@link #enableTime}. */
    private long counterBase;
    private long enableTime;
    private final long[] timerConfig = new long[TIMERS];
    private final long[] comparator = new long[TIMERS];
    private final long[] period = new long[TIMERS];
    /** Tick (counted from {@link #enableTime}) of each timer's scheduled match, or {@link #NONE}. */
    private final long[] pending = new long[TIMERS];

    /** Derived: the level each output is driven at. */
    private final boolean[] driven = new boolean[OUTPUTS];
    private final boolean[] wanted = new boolean[OUTPUTS];

    /**
     * @param intRouteCap Tn_INT_ROUTE_CAP of every timer, one bit per I/O APIC pin: QEMU gives 0x00000004 (pin 2)
     *                    on the i440FX {@code pc} board and 0x00FF0104 (pins 2, 8 and 16-23) on {@code q35}
     */
    public Hpet(final Timeline timeline, final int intRouteCap, final Lines lines) {
        this.timeline = timeline;
        this.intRouteCap = intRouteCap & LOW32;
        this.lines = lines;
        for (int n = 0; n < TIMERS; n++) {
            final int timer = n;
            handles[n] = timeline.register("hpet-timer" + n, now -> onTimer(timer));
        }
        reset(ResetKind.POWER_ON);
    }

    /** LEG_RT_CNF (2.3.5): timers 0 and 1 take over IRQ0 and IRQ8, and the board mutes the 8254 and the RTC. */
    public boolean legacyReplacement() {
        return (config & LEG_RT_CNF) != 0;
    }

    // ---- registers ---------------------------------------------------------------------------------------

    @Override
    public int minAccessSize() {
        return 4;
    }

    @Override
    public int maxAccessSize() {
        return 8;
    }

    private static boolean valid(final long offset, final int size) {
        return (size == 4 || size == 8) && offset >= 0 && offset < SIZE && (offset & (size - 1)) == 0;
    }

    private static long allOnes(final int size) {
        return size <= 0 || size >= 8 ? -1L : (1L << (8 * size)) - 1;
    }

    @Override
    public long mmioRead(final long offset, final int size) {
        if (!valid(offset, size)) {
            return allOnes(size);
        }
        final long v = readRegister((int) offset & ~7);
        if (size == 8) {
            return v;
        }
        return (offset & 4) != 0 ? v >>> 32 : v & LOW32;
    }

    @Override
    public void mmioWrite(final long offset, final int size, final long value) {
        if (!valid(offset, size)) {
            return;
        }
        final long mask;
        final long v;
        if (size == 8) {
            mask = -1L;
            v = value;
        } else {
            final int shift = (int) (offset & 4) * 8;
            mask = LOW32 << shift;
            v = (value & LOW32) << shift;
        }
        writeRegister((int) offset & ~7, v, mask);
    }

    private long readRegister(final int reg) {
        return switch (reg) {
            case GCAP_ID -> CAPABILITIES;
            case GEN_CONF -> config;
            case GINTR_STA -> isr;
            case MAIN_CNT -> counter();
            default -> readTimerRegister(reg);
        };
    }

    private long readTimerRegister(final int reg) {
        final int n = timerOf(reg);
        if (n < 0) {
            return 0; // reserved
        }
        return switch ((reg - TIMER_BASE) % TIMER_STRIDE) {
            case TN_CONF -> timerConfig[n] | TN_PER_INT_CAP | TN_SIZE_CAP | intRouteCap << 32;
            case TN_COMPARATOR -> comparator[n];
            default -> 0; // FSB route (no FSB delivery) and reserved
        };
    }

    private void writeRegister(final int reg, final long v, final long mask) {
        switch (reg) {
            case GEN_CONF -> writeGeneralConfig(merge(config, v, mask) & (ENABLE_CNF | LEG_RT_CNF));
            case GINTR_STA -> {
                isr &= ~(int) (v & mask & ALL_TIMERS);
                updateLines();
            }
            case MAIN_CNT -> {
                if (!running()) {
                    counterBase = merge(counterBase, v, mask);
                }
            }
            default -> {
                final int n = timerOf(reg);
                if (n >= 0) {
                    switch ((reg - TIMER_BASE) % TIMER_STRIDE) {
                        case TN_CONF -> writeTimerConfig(n, merge(timerConfig[n], v, mask) & TN_WRITABLE);
                        case TN_COMPARATOR -> writeComparator(n, v, mask);
                        default -> {
                            // FSB route and reserved: ignored
                        }
                    }
                }
            }
        }
    }

    private static int timerOf(final int reg) {
        return reg >= TIMER_BASE && reg < TIMER_BASE + TIMERS * TIMER_STRIDE ? (reg - TIMER_BASE) / TIMER_STRIDE : -1;
    }

    private static long merge(final long old, final long v, final long mask) {
        return (old & ~mask) | (v & mask);
    }

    private void writeGeneralConfig(final long value) {
        final long old = config;
        if (((old ^ value) & ENABLE_CNF) != 0) {
            if ((value & ENABLE_CNF) != 0) {
                enableTime = timeline.now();
                config = value;
                for (int n = 0; n < TIMERS; n++) {
                    arm(n, 0);
                }
            } else {
                counterBase = counter();
                config = value;
                for (int n = 0; n < TIMERS; n++) {
                    disarm(n);
                }
            }
        } else {
            config = value;
        }
        updateLines();
        if (((old ^ value) & LEG_RT_CNF) != 0) {
            lines.legacyReplacementChanged(legacyReplacement());
        }
    }

    private void writeTimerConfig(final int n, final long value) {
        timerConfig[n] = value;
        if ((value & TN_32MODE_CNF) != 0) {
            comparator[n] &= LOW32;
            period[n] &= LOW32;
        }
        if ((value & TN_INT_TYPE_CNF) == 0) {
            isr &= ~(1 << n);
        }
        if (running()) {
            arm(n, elapsedTicks());
        }
        updateLines();
    }

    private void writeComparator(final int n, final long v, final long mask) {
        final long m = (timerConfig[n] & TN_32MODE_CNF) != 0 ? mask & LOW32 : mask;
        if (m == 0) {
            return; // the upper half of a 32-bit comparator
        }
        if (!periodic(n) || (timerConfig[n] & TN_VAL_SET_CNF) != 0) {
            comparator[n] = merge(comparator[n], v, m);
        }
        period[n] = merge(period[n], v, m);
        timerConfig[n] &= ~TN_VAL_SET_CNF;
        if (running()) {
            arm(n, elapsedTicks());
        }
    }

    // ---- counter and comparators -------------------------------------------------------------------------

    private boolean running() {
        return (config & ENABLE_CNF) != 0;
    }

    private boolean periodic(final int n) {
        return (timerConfig[n] & TN_TYPE_CNF) != 0;
    }

    private long widthMask(final int n) {
        return (timerConfig[n] & TN_32MODE_CNF) != 0 ? LOW32 : -1L;
    }

    /** Whole ticks since the counter was enabled. */
    private long elapsedTicks() {
        final long d = timeline.now() - enableTime;
        return d <= 0 ? 0 : d / TICK_NS;
    }

    long counter() {
        return running() ? counterBase + elapsedTicks() : counterBase;
    }

    /** The last tick whose virtual time is representable (and not {@link Timeline#NEVER}). */
    private long maxTick() {
        return (Timeline.NEVER - 1 - enableTime) / TICK_NS;
    }

    /**
     * Ticks after the counter holds {@code c} until timer n's next event: the counter stepping onto the comparator
     * (in the timer's width) or, for a 32-bit non-periodic timer, the low 32 bits wrapping to 0. A result of 0 or
     * below means 2^64 ticks or more: never.
     */
    private long ticksToEvent(final int n, final long c) {
        final long mask = widthMask(n);
        long d = ((comparator[n] - c - 1) & mask) + 1;
        if (mask == LOW32 && !periodic(n)) {
            d = Math.min(d, ((-c - 1) & mask) + 1);
        }
        return d;
    }

    /** Schedules timer n's first event after tick {@code from}, or none when it is beyond representable time. */
    private void arm(final int n, final long from) {
        final long d = ticksToEvent(n, counterBase + from);
        if (d <= 0 || d > maxTick() - from) {
            disarm(n);
        } else {
            setPending(n, from + d);
        }
    }

    private void setPending(final int n, final long tick) {
        if (tick < 0 || tick > maxTick()) {
            disarm(n);
            return;
        }
        pending[n] = tick;
        timeline.schedule(handles[n], enableTime + tick * TICK_NS);
    }

    private void disarm(final int n) {
        pending[n] = NONE;
        timeline.cancel(handles[n]);
    }

    private void onTimer(final int n) {
        final long tick = pending[n];
        pending[n] = NONE;
        if (!running() || tick == NONE) {
            return;
        }
        final long mask = widthMask(n);
        final boolean match = (((counterBase + tick) ^ comparator[n]) & mask) == 0;
        fire(n);
        if (periodic(n) && match) {
            comparator[n] = (comparator[n] + period[n]) & mask;
        }
        arm(n, tick);
        final long now = elapsedTicks();
        if (pending[n] != NONE && pending[n] <= now) {
            // Fired late, past the next event too: coalesce the missed ones.
            if (periodic(n)) {
                final long distance = pending[n] - tick;
                final long skipped = (now - pending[n]) / distance + 1;
                comparator[n] = (comparator[n] + skipped * period[n]) & mask;
                setPending(n, pending[n] + skipped * distance);
            } else {
                arm(n, now);
            }
        }
    }

    // ---- interrupt outputs -------------------------------------------------------------------------------

    private void fire(final int n) {
        if ((timerConfig[n] & TN_INT_TYPE_CNF) != 0) {
            isr |= 1 << n;
            updateLines();
        } else if ((timerConfig[n] & TN_INT_ENB_CNF) != 0) {
            final int out = output(n);
            if (!driven[out]) {
                setOutput(out, true);
                setOutput(out, false);
            }
        }
    }

    private int output(final int n) {
        if (n < 2 && legacyReplacement()) {
            return n == 0 ? OUT_ISA_IRQ0 : OUT_ISA_IRQ8;
        }
        return (int) ((timerConfig[n] & TN_INT_ROUTE_CNF) >>> TN_INT_ROUTE_SHIFT);
    }

    private void levels(final boolean[] into) {
        Arrays.fill(into, false);
        if (!running()) {
            return;
        }
        for (int n = 0; n < TIMERS; n++) {
            final long both = TN_INT_TYPE_CNF | TN_INT_ENB_CNF;
            if ((timerConfig[n] & both) == both && (isr & (1 << n)) != 0) {
                into[output(n)] = true;
            }
        }
    }

    /** Brings the outputs to the levels the registers call for: lowers first, then raises. */
    private void updateLines() {
        levels(wanted);
        for (int out = 0; out < OUTPUTS; out++) {
            if (driven[out] && !wanted[out]) {
                driven[out] = false;
                setOutput(out, false);
            }
        }
        for (int out = 0; out < OUTPUTS; out++) {
            if (!driven[out] && wanted[out]) {
                driven[out] = true;
                setOutput(out, true);
            }
        }
    }

    private void setOutput(final int out, final boolean level) {
        if (out == OUT_ISA_IRQ0) {
            lines.isaIrq(0, level);
        } else if (out == OUT_ISA_IRQ8) {
            lines.isaIrq(8, level);
        } else {
            lines.ioapicPin(out, level);
        }
    }

    // ---- reset and state ---------------------------------------------------------------------------------

    @Override
    public void reset(final ResetKind kind) {
        final boolean wasLegacy = legacyReplacement();
        config = 0;
        isr = 0;
        counterBase = 0;
        enableTime = Math.max(0, timeline.now());
        for (int n = 0; n < TIMERS; n++) {
            timerConfig[n] = 0;
            comparator[n] = -1L;
            period[n] = 0;
            disarm(n);
        }
        updateLines();
        if (wasLegacy) {
            lines.legacyReplacementChanged(false);
        }
    }

    @Override
    public String stateId() {
        return "hpet";
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void save(final StateWriter w) {
        w.putLong(config).putInt(isr).putLong(counterBase).putLong(enableTime);
        for (int n = 0; n < TIMERS; n++) {
            w.putLong(timerConfig[n]).putLong(comparator[n]).putLong(period[n]).putLong(pending[n]);
        }
    }

    @Override
    public void load(final StateReader r, final int version) {
        config = r.getLong() & (ENABLE_CNF | LEG_RT_CNF);
        isr = r.getInt() & ALL_TIMERS;
        counterBase = r.getLong();
        enableTime = Math.max(0, r.getLong());
        for (int n = 0; n < TIMERS; n++) {
            timerConfig[n] = r.getLong() & TN_WRITABLE;
            comparator[n] = r.getLong() & widthMask(n);
            period[n] = r.getLong() & widthMask(n);
            pending[n] = r.getLong();
        }
        for (int n = 0; n < TIMERS; n++) {
            if (running() && pending[n] != NONE) {
                setPending(n, pending[n]);
            } else {
                disarm(n);
            }
        }
        levels(driven);
    }
}
