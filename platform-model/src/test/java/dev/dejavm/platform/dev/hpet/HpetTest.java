package dev.dejavm.platform.dev.hpet;

import dev.dejavm.core.bus.MmioBus;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The HPET against the IA-PC HPET Specification 1.0a (section numbers in the comments) and QEMU's register values,
 * through the MMIO bus at 0xFED00000 with virtual time stepped on a real {@link Timeline}.
 */
class HpetTest {
    /** QEMU's Tn_INT_ROUTE_CAP: i440FX {@code pc} (pin 2) and {@code q35} (pins 2, 8, 16-23). */
    private static final int PC_CAP = 0x0000_0004;
    private static final int Q35_CAP = 0x00FF_0104;

    // Register offsets (2.3.1).
    private static final int GCAP = 0x000, CONF = 0x010, ISR = 0x020, COUNTER = 0x0F0;

    private static int tConf(final int n) {
        return 0x100 + 0x20 * n;
    }

    private static int tCmp(final int n) {
        return 0x108 + 0x20 * n;
    }

    private static int tFsb(final int n) {
        return 0x110 + 0x20 * n;
    }

    // General configuration (2.3.5) and timer configuration bits (2.3.8).
    private static final long ENABLE = 1, LEG_RT = 2;
    private static final long LEVEL = 1 << 1, INT_ENB = 1 << 2, PERIODIC = 1 << 3, VAL_SET = 1 << 6, MODE32 = 1 << 8;

    private static long route(final int pin) {
        return (long) pin << 9;
    }

    /** One HPET with its own timeline, bus and a log of every output call as "time output+/-". */
    private static final class Rig {
        final Timeline timeline = new Timeline();
        final MmioBus bus = new MmioBus();
        final List<String> events = new ArrayList<>();
        final Hpet hpet;

        Rig(final int cap) {
            hpet = new Hpet(timeline, cap, new Hpet.Lines() {
                @Override
                public void isaIrq(final int irq, final boolean level) {
                    events.add(timeline.now() + " isa" + irq + (level ? "+" : "-"));
                }

                @Override
                public void ioapicPin(final int pin, final boolean level) {
                    events.add(timeline.now() + " pin" + pin + (level ? "+" : "-"));
                }

                @Override
                public void legacyReplacementChanged(final boolean enabled) {
                    events.add(timeline.now() + " legacy " + enabled);
                }
            });
            bus.map(Hpet.BASE, Hpet.SIZE, hpet, "hpet");
        }

        long read64(final int off) {
            return bus.read(Hpet.BASE + off, 8);
        }

        long read32(final int off) {
            return bus.read(Hpet.BASE + off, 4);
        }

        void write64(final int off, final long v) {
            bus.write(Hpet.BASE + off, 8, v);
        }

        void write32(final int off, final long v) {
            bus.write(Hpet.BASE + off, 4, v);
        }

        /** Runs the timeline to {@code t}, firing each due timer at its own deadline (qtest clock_step). */
        void runTo(final long t) {
            while (timeline.nextDeadline() <= t) {
                timeline.advanceTo(timeline.nextDeadline());
                timeline.runDue();
            }
            timeline.advanceTo(t);
        }

        /** Advances in one jump and only then fires due timers, as a run loop that fires timers late would. */
        void stepLate(final long ns) {
            timeline.advance(ns);
            timeline.runDue();
        }

        byte[] snapshot() {
            final StateWriter w = new StateWriter();
            hpet.save(w);
            return w.toByteArray();
        }
    }

    private static List<String> pulse(final long t, final String out) {
        return List.of(t + " " + out + "+", t + " " + out + "-");
    }

    @SafeVarargs
    private static List<String> concat(final List<String>... parts) {
        final List<String> all = new ArrayList<>();
        for (final List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }

    /** 2.3.4: REV_ID 1, NUM_TIM_CAP 2, COUNT_SIZE_CAP, LEG_RT_CAP, vendor 0x8086, period 10^7 fs; 2.3.8 defaults. */
    @Test
    void shouldShowQemuCapabilitiesAndResetValues() {
        final Rig r = new Rig(PC_CAP);
        assertEquals(0x0098_9680_8086_A201L, r.read64(GCAP));
        assertEquals(0x8086_A201L, r.read32(GCAP), "low dword as firmware reads it");
        assertEquals(10_000_000L, r.read32(GCAP + 4), "COUNTER_CLK_PERIOD: 10 ns in femtoseconds");
        assertEquals(2, (r.read32(GCAP) >> 8) & 0x1F, "NUM_TIM_CAP: three timers");
        r.write64(GCAP, 0);
        assertEquals(0x0098_9680_8086_A201L, r.read64(GCAP), "read-only");
        assertEquals(0, r.read64(CONF));
        assertEquals(0, r.read64(ISR));
        assertEquals(0, r.read64(COUNTER));
        for (int n = 0; n < 3; n++) {
            assertEquals(0x4L << 32 | 0x30, r.read64(tConf(n)), "Tn_PER_INT_CAP, Tn_SIZE_CAP, route cap pin 2");
            assertEquals(-1L, r.read64(tCmp(n)), "comparator default all ones");
            assertEquals(0, r.read64(tFsb(n)));
        }
        final Rig q = new Rig(Q35_CAP);
        assertEquals(0x00FF_0104L, q.read32(tConf(2) + 4), "q35: pins 2, 8 and 16-23");
    }

    /** 2.3.7: the counter increments every 10 ns only while ENABLE_CNF is set (2.3.5); halting keeps its value. */
    @Test
    void shouldCountAt100MhzOfVirtualTimeOnlyWhileEnabled() {
        final Rig r = new Rig(PC_CAP);
        r.runTo(1_000);
        assertEquals(0, r.read64(COUNTER), "halted at reset");
        r.write32(CONF, ENABLE);
        r.runTo(1_000 + 12_345);
        assertEquals(1_234, r.read64(COUNTER));
        assertEquals(1_234, r.read32(COUNTER));
        assertEquals(0, r.read32(COUNTER + 4));
        r.runTo(1_000 + 1_000_000_000L);
        assertEquals(100_000_000L, r.read64(COUNTER), "one virtual second");
        r.write32(CONF, 0);
        r.runTo(2_000_000_000L);
        assertEquals(100_000_000L, r.read64(COUNTER), "halted: the value holds");
        r.write32(CONF, ENABLE);
        r.runTo(2_000_000_105L);
        assertEquals(100_000_010L, r.read64(COUNTER), "continues from the held value");
    }

    /** 2.3.7: software writes the counter while halted; a write while it runs is ignored (QEMU). */
    @Test
    void shouldTakeCounterWritesOnlyWhileHalted() {
        final Rig r = new Rig(PC_CAP);
        r.write32(COUNTER, 0x89AB_CDEFL);
        r.write32(COUNTER + 4, 0x0123_4567L);
        assertEquals(0x0123_4567_89AB_CDEFL, r.read64(COUNTER), "written in two halves");
        r.write32(CONF, ENABLE);
        r.runTo(1_000);
        r.write64(COUNTER, 0);
        r.write32(COUNTER + 4, 0);
        assertEquals(0x0123_4567_89AB_CDEFL + 100, r.read64(COUNTER), "ignored while running");
        r.write32(CONF, 0);
        r.write64(COUNTER, 0xFFFF_FFFF_FFFF_FFFEL);
        r.write32(CONF, ENABLE);
        r.runTo(1_030);
        assertEquals(1, r.read64(COUNTER), "the 64-bit counter wraps");
    }

    /** 2.3.9.2.1: a non-periodic 64-bit timer interrupts when the counter reaches the comparator, and only then. */
    @Test
    void shouldFireOneShotOnceAtTheMatchTime() {
        final Rig r = new Rig(Q35_CAP);
        r.write64(tCmp(2), 500);
        r.write64(tConf(2), INT_ENB | route(20));
        r.runTo(7);
        r.write32(CONF, ENABLE); // ticks at 17, 27, ... ns
        r.runTo(5_006);
        assertEquals(List.of(), r.events);
        r.runTo(5_007);
        assertEquals(pulse(5_007, "pin20"), r.events, "edge mode: a raise and a lower at tick 500");
        assertEquals(0, r.read64(ISR), "no status in edge mode (2.3.6)");
        r.runTo(600_000_000_000L);
        assertEquals(2, r.events.size(), "once");
        assertEquals(Timeline.NEVER, r.timeline.nextDeadline(), "the next match is 2^64 ticks away");
        assertEquals(500, r.read64(tCmp(2)), "a one-shot leaves the comparator alone");
    }

    /** 2.3.9.2.2: with Tn_VAL_SET_CNF the write sets comparator and period; each match adds the period. */
    @Test
    void shouldFireEveryPeriodWhenSetWithValSet() {
        final Rig r = new Rig(PC_CAP);
        r.write64(tConf(0), INT_ENB | PERIODIC | VAL_SET | route(2));
        r.write64(tCmp(0), 1_000);
        assertEquals(0, r.read64(tConf(0)) & VAL_SET, "Tn_VAL_SET_CNF clears itself after the comparator write");
        r.write32(CONF, ENABLE);
        r.runTo(50_000);
        assertEquals(concat(pulse(10_000, "pin2"), pulse(20_000, "pin2"), pulse(30_000, "pin2"),
                pulse(40_000, "pin2"), pulse(50_000, "pin2")), r.events);
        assertEquals(6_000, r.read64(tCmp(0)), "the comparator holds the next match");
    }

    /**
     * 2.3.9.2.2: without Tn_VAL_SET_CNF a periodic timer's comparator write changes only the period. Linux's legacy
     * periodic setup writes 32-bit mode, the first comparator with VAL_SET, then the period without.
     */
    @Test
    void shouldChangeOnlyThePeriodWhenWrittenWithoutValSet() {
        final Rig r = new Rig(PC_CAP);
        r.write32(tConf(0), MODE32 | INT_ENB | PERIODIC | VAL_SET | route(2));
        r.write32(tCmp(0), 300);
        r.write32(tCmp(0), 1_000);
        assertEquals(300, r.read64(tCmp(0)));
        r.write32(CONF, ENABLE);
        r.runTo(23_000);
        assertEquals(concat(pulse(3_000, "pin2"), pulse(13_000, "pin2"), pulse(23_000, "pin2")), r.events);
    }

    /** 2.3.9.2.1 as Intel's datasheets program it: Tn_VAL_SET_CNF before each 32-bit half of a 64-bit comparator. */
    @Test
    void shouldSetAll64ComparatorBitsInTwoHalvesWithValSetBeforeEach() {
        final Rig r = new Rig(PC_CAP);
        r.write32(tConf(1), PERIODIC | VAL_SET);
        r.write32(tCmp(1), 0x2222_2222L);
        assertEquals(0xFFFF_FFFF_2222_2222L, r.read64(tCmp(1)));
        r.write32(tConf(1), PERIODIC | VAL_SET);
        r.write32(tCmp(1) + 4, 0x1111_1111L);
        assertEquals(0x1111_1111_2222_2222L, r.read64(tCmp(1)));
        r.write32(tCmp(1) + 4, 0x3333_3333L);
        assertEquals(0x1111_1111_2222_2222L, r.read64(tCmp(1)), "without Tn_VAL_SET_CNF only the period changes");
    }

    /**
     * 2.3.8 Tn_32MODE_CNF and 2.3.9.2.1: a 32-bit comparator matches the low 32 bits of the counter (again every 2^32
     * ticks), and a non-periodic 32-bit timer also interrupts when those bits wrap.
     */
    @Test
    void shouldMatchLow32BitsAndInterruptAtTheWrapInThirtyTwoBitMode() {
        final Rig r = new Rig(PC_CAP);
        r.write64(COUNTER, 0x1_FFFF_FF00L);
        r.write64(tConf(1), MODE32 | INT_ENB | route(2));
        assertEquals(0xFFFF_FFFFL, r.read64(tCmp(1)), "switching to 32-bit mode truncates the comparator");
        r.write64(tCmp(1), 0xAAAA_AAAA_0000_0010L);
        r.write32(tCmp(1) + 4, 0x1234);
        assertEquals(0x10, r.read64(tCmp(1)), "the upper half of a 32-bit comparator is 0 and ignores writes");
        r.write32(CONF, ENABLE);
        final long wrapTicks = 1L << 32;
        r.runTo((272 + wrapTicks) * 10);
        assertEquals(concat(pulse(2_560, "pin2"), pulse(2_720, "pin2"),
                pulse((256 + wrapTicks) * 10, "pin2"), pulse((272 + wrapTicks) * 10, "pin2")), r.events,
                "wrap of the low half after 256 ticks, match at 0x10 after 272, then both again 2^32 ticks later");
    }

    /** The same counter and comparator in 64-bit mode: crossing 2^32 is no event, the full 64 bits must match. */
    @Test
    void shouldNotInterruptAt32BitWrapInSixtyFourBitMode() {
        final Rig r = new Rig(PC_CAP);
        r.write64(COUNTER, 0x1_FFFF_FF00L);
        r.write64(tConf(1), INT_ENB | route(2));
        r.write64(tCmp(1), 0x2_0000_0010L);
        r.write32(CONF, ENABLE);
        r.runTo(100_000_000_000L);
        assertEquals(pulse(2_720, "pin2"), r.events);
    }

    /** 2.3.9.2.2 in 32-bit mode: the comparator advances modulo 2^32. */
    @Test
    void shouldWrapThePeriodicComparatorAt32Bits() {
        final Rig r = new Rig(PC_CAP);
        r.write64(COUNTER, 0xFFFF_FF00L);
        r.write64(tConf(2), MODE32 | PERIODIC | VAL_SET | INT_ENB | route(2));
        r.write64(tCmp(2), 0xFFFF_FFF0L);
        r.write64(tCmp(2), 0x20);
        r.write32(CONF, ENABLE);
        r.runTo(2_400);
        assertEquals(pulse(2_400, "pin2"), r.events);
        assertEquals(0x10, r.read64(tCmp(2)), "0xFFFFFFF0 + 0x20 wrapped");
        r.runTo(2_720);
        assertEquals(concat(pulse(2_400, "pin2"), pulse(2_720, "pin2")), r.events);
        assertEquals(0x1_0000_0010L, r.read64(COUNTER), "the main counter itself stays 64-bit");
    }

    /** 2.3.6: a level-triggered timer sets its status bit and holds its line until software writes 1 to the bit. */
    @Test
    void shouldHoldLevelLineUntilStatusIsWrittenOne() {
        final Rig r = new Rig(Q35_CAP);
        r.write64(tCmp(2), 100);
        r.write64(tConf(2), LEVEL | INT_ENB | route(21));
        r.write32(CONF, ENABLE);
        r.runTo(1_000);
        assertEquals(List.of("1000 pin21+"), r.events);
        assertEquals(0b100, r.read64(ISR));
        r.runTo(1_500);
        r.write32(ISR, 0);
        r.write32(ISR, 0b011);
        assertEquals(0b100, r.read64(ISR), "writing 0 has no effect");
        assertEquals(1, r.events.size());
        r.write32(ISR, 0b100);
        assertEquals(List.of("1000 pin21+", "1500 pin21-"), r.events);
        assertEquals(0, r.read64(ISR));
    }

    /**
     * Two level timers on one pin: the pin stays high until both status bits are cleared (shared, 2.3.6); an edge
     * timer's pulse on the pin they hold high changes nothing.
     */
    @Test
    void shouldKeepASharedLevelPinHighWhileAnyTimerAssertsIt() {
        final Rig r = new Rig(Q35_CAP);
        r.write64(tCmp(0), 250);
        r.write64(tConf(0), INT_ENB | route(21));
        r.write64(tCmp(1), 100);
        r.write64(tCmp(2), 200);
        r.write64(tConf(1), LEVEL | INT_ENB | route(21));
        r.write64(tConf(2), LEVEL | INT_ENB | route(21));
        r.write32(CONF, ENABLE);
        r.runTo(3_000);
        assertEquals(List.of("1000 pin21+"), r.events);
        assertEquals(0b110, r.read64(ISR));
        r.write32(ISR, 0b010);
        assertEquals(1, r.events.size(), "timer 2 still asserts the pin");
        r.write32(ISR, 0b100);
        assertEquals(List.of("1000 pin21+", "3000 pin21-"), r.events);
    }

    /** 2.3.5 ENABLE_CNF=0 disables all timer interrupts: halting lowers a level line; the status bit survives. */
    @Test
    void shouldMaskLevelLineWhileHalted() {
        final Rig r = new Rig(Q35_CAP);
        r.write64(tCmp(2), 100);
        r.write64(tConf(2), LEVEL | INT_ENB | route(22));
        r.write32(CONF, ENABLE);
        r.runTo(2_000);
        r.write32(CONF, 0);
        assertEquals(0b100, r.read64(ISR));
        r.runTo(3_000);
        r.write32(CONF, ENABLE);
        assertEquals(List.of("1000 pin22+", "2000 pin22-", "3000 pin22+"), r.events);
        r.write64(tConf(2), INT_ENB | route(22));
        assertEquals(0, r.read64(ISR), "edge mode: the status bit is cleared");
        assertEquals("3000 pin22-", r.events.get(3));
    }

    /** 2.3.8 Tn_INT_ENB_CNF=0: no interrupt; a level timer still sets its status bit, an edge timer nothing. */
    @Test
    void shouldDriveNoLineWhenInterruptIsDisabled() {
        final Rig r = new Rig(Q35_CAP);
        r.write64(tCmp(1), 100);
        r.write64(tConf(1), LEVEL | route(21));
        r.write64(tCmp(2), 100);
        r.write64(tConf(2), PERIODIC | VAL_SET | route(20));
        r.write64(tCmp(2), 100);
        r.write32(CONF, ENABLE);
        r.runTo(10_000);
        assertEquals(List.of(), r.events);
        assertEquals(0b010, r.read64(ISR), "the level timer's status bit, not the edge timer's");
        assertEquals(1_100, r.read64(tCmp(2)), "the periodic comparator still advances");
        r.write64(tConf(1), LEVEL | INT_ENB | route(21));
        assertEquals(List.of("10000 pin21+"), r.events, "enabling the interrupt with the status set asserts it");
    }

    /** 2.3.5 LEG_RT_CNF: timer 0 to IRQ0, timer 1 to IRQ8 regardless of their routes; timer 2 keeps its route. */
    @Test
    void shouldRouteTimers0And1ToIsaIrqsInLegacyReplacementMode() {
        final Rig r = new Rig(Q35_CAP);
        r.write64(tCmp(0), 100);
        r.write64(tConf(0), INT_ENB | route(16));
        r.write64(tCmp(1), 200);
        r.write64(tConf(1), INT_ENB | route(17));
        r.write64(tCmp(2), 300);
        r.write64(tConf(2), INT_ENB | route(18));
        assertFalse(r.hpet.legacyReplacement());
        r.write32(CONF, ENABLE | LEG_RT);
        assertTrue(r.hpet.legacyReplacement());
        r.runTo(3_000);
        assertEquals(concat(List.of("0 legacy true"), pulse(1_000, "isa0"), pulse(2_000, "isa8"),
                pulse(3_000, "pin18")), r.events);
        r.events.clear();
        r.write32(CONF, ENABLE);
        assertFalse(r.hpet.legacyReplacement());
        r.write64(tCmp(0), 400);
        r.write64(tCmp(1), 500);
        r.runTo(5_000);
        assertEquals(concat(List.of("3000 legacy false"), pulse(4_000, "pin16"), pulse(5_000, "pin17")), r.events);
    }

    /** Toggling LEG_RT_CNF moves an asserted level interrupt between its I/O APIC pin and ISA IRQ0. */
    @Test
    void shouldMoveAnAssertedLevelLineWhenLegacyReplacementToggles() {
        final Rig r = new Rig(Q35_CAP);
        r.write64(tCmp(0), 100);
        r.write64(tConf(0), LEVEL | INT_ENB | route(16));
        r.write32(CONF, ENABLE);
        r.runTo(1_000);
        r.write32(CONF, ENABLE | LEG_RT);
        r.runTo(2_000);
        r.write32(CONF, ENABLE);
        assertEquals(List.of("1000 pin16+", "1000 pin16-", "1000 isa0+", "1000 legacy true",
                "2000 isa0-", "2000 pin16+", "2000 legacy false"), r.events);
    }

    /** 2.3.8 Tn_INT_ROUTE_CNF: the pin; a route outside Tn_INT_ROUTE_CAP is kept and delivered (QEMU). */
    @Test
    void shouldDeliverToTheRoutedIoapicPin() {
        final Rig r = new Rig(PC_CAP);
        r.write64(tConf(2), INT_ENB | route(2));
        assertEquals(2, (r.read32(tConf(2)) >> 9) & 0x1F);
        r.write64(tCmp(2), 100);
        r.write32(CONF, ENABLE);
        r.runTo(1_000);
        assertEquals(pulse(1_000, "pin2"), r.events);
        r.events.clear();
        r.write64(tConf(2), INT_ENB | route(31));
        assertEquals(31, (r.read32(tConf(2)) >> 9) & 0x1F, "not in the capability, read back as written");
        r.write64(tCmp(2), 200);
        r.runTo(2_000);
        assertEquals(pulse(2_000, "pin31"), r.events);
    }

    /** A period of 0 leaves the comparator in place: the next match is a full wrap away, never a burst. */
    @Test
    void shouldTreatPeriodZeroAsMatchingOncePerWrap() {
        final Rig r = new Rig(PC_CAP);
        r.write64(tConf(0), INT_ENB | PERIODIC | VAL_SET | route(2));
        r.write64(tCmp(0), 100);
        r.write64(tCmp(0), 0); // period 0
        r.write32(CONF, ENABLE);
        r.runTo(1_000_000);
        assertEquals(pulse(1_000, "pin2"), r.events);
        assertEquals(100, r.read64(tCmp(0)));
        assertEquals(Timeline.NEVER, r.timeline.nextDeadline(), "64-bit: 2^64 ticks away");
        r.write64(tConf(0), MODE32 | INT_ENB | PERIODIC | route(2));
        assertEquals(1_000 + (1L << 32) * 10, r.timeline.nextDeadline(), "32-bit: 2^32 ticks after the match");
    }

    /** Matches the run loop fires late coalesce into one interrupt; the comparator skips whole periods. */
    @Test
    void shouldCoalesceMissedPeriodsWhenTheTimelineFiresLate() {
        final Rig r = new Rig(PC_CAP);
        r.write64(tConf(0), INT_ENB | PERIODIC | VAL_SET | route(2));
        r.write64(tCmp(0), 1); // every tick
        r.write32(CONF, ENABLE);
        r.stepLate(1_000_000_000L);
        assertEquals(pulse(1_000_000_000L, "pin2"), r.events);
        assertEquals(100_000_000L, r.read64(COUNTER));
        assertEquals(100_000_001L, r.read64(tCmp(0)), "the next tick, in phase");
        r.runTo(1_000_000_020L);
        assertEquals(concat(pulse(1_000_000_000L, "pin2"), pulse(1_000_000_010L, "pin2"),
                pulse(1_000_000_020L, "pin2")), r.events);
    }

    /** Accesses are aligned 32 or 64 bits (2.3.1); anything else reads all-ones and writes nothing. */
    @Test
    void shouldIgnoreOddAccessesReservedRegistersAndReadOnlyBits() {
        final Rig r = new Rig(PC_CAP);
        final Hpet h = r.hpet;
        assertEquals(0xFF, r.bus.read(Hpet.BASE, 1), "narrower than 32 bits: the bus rejects it");
        assertEquals(0xFFFF, h.mmioRead(0, 2));
        assertEquals(0xFFFF_FFFFL, h.mmioRead(2, 4));
        assertEquals(-1L, h.mmioRead(4, 8), "misaligned 64-bit");
        assertEquals(-1L, h.mmioRead(Hpet.SIZE, 8));
        assertEquals(-1L, h.mmioRead(-8, 8));
        h.mmioWrite(CONF + 2, 4, ENABLE);
        h.mmioWrite(CONF, 2, ENABLE);
        h.mmioWrite(CONF, 3, ENABLE);
        r.bus.write(Hpet.BASE + CONF, 1, ENABLE);
        assertEquals(0, r.read64(CONF));
        r.write64(CONF, -1L);
        assertEquals(ENABLE | LEG_RT, r.read64(CONF), "reserved configuration bits stay 0");
        r.write64(CONF, 0);
        for (final int reserved : new int[] {0x008, 0x018, 0x028, 0x0E8, 0x0F8, 0x118, tConf(3), tCmp(3), 0x3F8}) {
            r.write64(reserved, -1L);
            assertEquals(0, r.read64(reserved), "reserved 0x" + Integer.toHexString(reserved));
        }
        r.write64(tConf(0), -1L);
        assertEquals(0x4L << 32 | 0x3F7E, r.read64(tConf(0)), "no Tn_FSB_EN_CNF, capability bits unchanged");
        r.write64(tFsb(0), -1L);
        assertEquals(0, r.read64(tFsb(0)), "no FSB delivery: the route register reads 0");
        r.write64(ISR, -1L);
        assertEquals(0, r.read64(ISR));
    }

    /** Reset: registers to their defaults, pending matches cancelled, held lines lowered, legacy routing off. */
    @Test
    void shouldRestoreDefaultsCancelTimersAndLowerLinesOnReset() {
        final Rig r = new Rig(Q35_CAP);
        final byte[] fresh = r.snapshot();
        r.write64(tCmp(2), 100);
        r.write64(tConf(2), LEVEL | INT_ENB | route(21));
        r.write64(tConf(0), INT_ENB | PERIODIC | VAL_SET | route(16));
        r.write64(tCmp(0), 50);
        r.write32(CONF, ENABLE | LEG_RT);
        r.runTo(1_000);
        assertFalse(java.util.Arrays.equals(fresh, r.snapshot()), "the programming changed the state");
        r.events.clear();
        r.hpet.reset(ResetKind.WARM);
        assertEquals(List.of("1000 pin21-", "1000 legacy false"), r.events);
        assertEquals(Timeline.NEVER, r.timeline.nextDeadline(), "no pending match");
        assertEquals(0, r.read64(CONF));
        assertEquals(0, r.read64(ISR));
        assertEquals(0, r.read64(COUNTER));
        for (int n = 0; n < 3; n++) {
            assertEquals(0x00FF_0104L << 32 | 0x30, r.read64(tConf(n)));
            assertEquals(-1L, r.read64(tCmp(n)));
        }
        final byte[] once = r.snapshot();
        r.hpet.reset(ResetKind.WARM);
        assertArrayEquals(once, r.snapshot(), "resetting twice equals resetting once");
        r.hpet.reset(ResetKind.POWER_ON);
        assertArrayEquals(once, r.snapshot(), "warm and power-on reset alike");
        r.runTo(1_000_000_000L);
        assertEquals(2, r.events.size(), "nothing fires after reset");
        assertEquals(0, r.read64(COUNTER));
    }

    /** Programs timers 0-2 of a rig with a mix of modes, enabled at 123 ns. */
    private static void program(final Rig r) {
        r.write64(tConf(0), INT_ENB | PERIODIC | VAL_SET | route(16));
        r.write64(tCmp(0), 700);
        r.write64(tConf(1), MODE32 | LEVEL | INT_ENB | route(21));
        r.write64(tCmp(1), 3_000);
        r.write64(tConf(2), INT_ENB | route(20));
        r.write64(tCmp(2), 12_000);
        r.runTo(123);
        r.write32(CONF, ENABLE);
    }

    /** The same guest actions on the original and on the restored rigs from the snapshot point on. */
    private static void continueRun(final Rig r) {
        r.runTo(100_000);
        r.write32(ISR, 0b010);
        r.write64(tCmp(2), 20_000);
        r.runTo(300_000);
    }

    /** Save, load into a second instance, and both continue identically (CONVENTIONS: state is first-class). */
    @Test
    void shouldContinueIdenticallyAfterSnapshotRestore() {
        final Rig a = new Rig(Q35_CAP);
        program(a);
        a.runTo(50_005);
        final byte[] image = a.snapshot();
        final StateWriter timelineImage = new StateWriter();
        a.timeline.save(timelineImage);

        final Rig b = new Rig(Q35_CAP); // its own timeline at the snapshot time, the device rescheduling itself
        b.timeline.advanceTo(50_005);
        b.hpet.load(new StateReader(image), a.hpet.stateVersion());
        final Rig c = new Rig(Q35_CAP); // device first, then the timeline snapshot
        c.hpet.load(new StateReader(image), a.hpet.stateVersion());
        c.timeline.load(new StateReader(timelineImage.toByteArray()), a.timeline.stateVersion());

        for (final Rig restored : List.of(b, c)) {
            assertArrayEquals(image, restored.snapshot(), "save, load, save is byte-identical");
            assertEquals(a.timeline.nextDeadline(), restored.timeline.nextDeadline());
            for (int off = 0; off < Hpet.SIZE; off += 8) {
                assertEquals(a.read64(off), restored.read64(off), "register 0x" + Integer.toHexString(off));
            }
        }
        assertEquals(0b010, a.read64(ISR), "the level timer is asserted at the snapshot");
        a.events.clear();
        for (final Rig r : List.of(a, b, c)) {
            continueRun(r);
        }
        assertTrue(a.events.contains("100000 pin21-"), "the restored instances also knew the line was high");
        assertTrue(a.events.contains("200123 pin20+"), "timer 2 at its rewritten comparator");
        assertEquals(35, a.events.stream().filter(e -> e.endsWith("pin16+")).count(),
                "timer 0 every 7,000 ns from 56,123 to 294,123 ns");
        for (final Rig restored : List.of(b, c)) {
            assertEquals(a.events, restored.events);
            assertArrayEquals(a.snapshot(), restored.snapshot());
            assertEquals(a.read64(COUNTER), restored.read64(COUNTER));
        }
    }

    /** Random accesses of any offset, size and value with random time steps, resets and restores never throw. */
    @Test
    void shouldNeverThrowWhenFuzzed() {
        final Timeline timeline = new Timeline();
        final boolean[] levels = new boolean[64];
        final int[] calls = {0};
        final Hpet h = new Hpet(timeline, Q35_CAP, new Hpet.Lines() {
            @Override
            public void isaIrq(final int irq, final boolean level) {
                check(32 + irq, level);
            }

            @Override
            public void ioapicPin(final int pin, final boolean level) {
                if (pin < 0 || pin > 31) {
                    fail("pin " + pin + " out of Tn_INT_ROUTE_CNF's range");
                }
                check(pin, level);
            }

            private void check(final int out, final boolean level) {
                if (levels[out] == level) {
                    fail("output " + out + " told its current level " + level + " again");
                }
                levels[out] = level;
                calls[0]++;
            }
        });
        final MmioBus bus = new MmioBus();
        bus.map(Hpet.BASE, Hpet.SIZE, h, "hpet");
        final Random rnd = new Random(20041001);
        final int[] registers = {GCAP, CONF, ISR, COUNTER, tConf(0), tCmp(0), tFsb(0), tConf(1), tCmp(1), tFsb(1),
            tConf(2), tCmp(2), tFsb(2)};
        for (int i = 0; i < 200_000; i++) {
            final int kind = rnd.nextInt(100);
            final long value = switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextLong();
                case 1 -> rnd.nextInt(0x4000); // configuration bits and small comparators
                case 2 -> rnd.nextInt(64);
                default -> -1L;
            };
            if (kind < 60) {
                final int off = registers[rnd.nextInt(registers.length)] + (rnd.nextBoolean() ? 4 : 0);
                final int size = off % 8 == 0 && rnd.nextBoolean() ? 8 : 4;
                if (rnd.nextBoolean()) {
                    bus.write(Hpet.BASE + off, size, value);
                } else {
                    bus.read(Hpet.BASE + off, size);
                }
            } else if (kind < 80) {
                final long off = rnd.nextInt(8) == 0 ? rnd.nextLong() : rnd.nextInt(Hpet.SIZE + 16);
                final int size = rnd.nextInt(10) - 1;
                if (rnd.nextBoolean()) {
                    h.mmioWrite(off, size, value);
                } else {
                    h.mmioRead(off, size);
                }
            } else if (kind < 97) {
                timeline.advance(rnd.nextInt(4) == 0 ? rnd.nextInt(2_000_000_000) : rnd.nextInt(5_000));
                timeline.runDue();
            } else if (kind < 98) {
                h.reset(rnd.nextBoolean() ? ResetKind.WARM : ResetKind.POWER_ON);
            } else {
                final StateWriter w = new StateWriter();
                h.save(w);
                h.load(new StateReader(w.toByteArray()), h.stateVersion());
            }
            assertEquals(0x0098_9680_8086_A201L, bus.read(Hpet.BASE + GCAP, 8));
        }
        assertTrue(calls[0] > 100, "the fuzz reached the interrupt outputs (" + calls[0] + " changes)");
    }
}
