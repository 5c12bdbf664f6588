package dev.dejavm.platform.dev.lapic;

import dev.dejavm.core.cpu.InterruptSource;
import dev.dejavm.core.state.ResetKind;
import dev.dejavm.core.state.StateReader;
import dev.dejavm.core.state.StateWriter;
import dev.dejavm.core.time.Timeline;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local APIC against the Intel SDM Vol. 3A chapter 11 (register layout, timer, priorities, EOI, LINT0). */
class LocalApicTest {
    private final Timeline timeline = new Timeline();
    private long apicBase = 0xFEE00900L;
    private int picVector = -1;
    private final InterruptSource pic = new InterruptSource() {
        @Override
        public boolean pending() {
            return picVector >= 0;
        }

        @Override
        public int acknowledge() {
            final int v = picVector;
            picVector = -1;
            return v;
        }
    };
    private final LocalApic apic = new LocalApic(timeline, pic, () -> apicBase);

    private int read(final int reg) {
        return (int) apic.mmioRead(reg, 4);
    }

    private void write(final int reg, final int v) {
        apic.mmioWrite(reg, 4, v & 0xFFFFFFFFL);
    }

    /** Runs the timeline to {@code t}, firing due timers. */
    private void runTo(final long t) {
        while (timeline.nextDeadline() <= t) {
            timeline.advanceTo(timeline.nextDeadline());
            timeline.runDue();
        }
        timeline.advanceTo(t);
    }

    @Test
    void shouldShowResetValues() {
        assertEquals(0x00050014, read(0x30), "version 0x14, max LVT entry 5");
        assertEquals(0xFF, read(0xF0), "SVR: spurious vector 0xFF, software-disabled");
        assertEquals(0xFFFFFFFF, read(0xE0), "DFR: flat model");
        assertEquals(0x10000, read(0x320), "LVT timer masked");
        assertEquals(0, read(0x20), "APIC ID 0");
    }

    @Test
    void shouldCountDownAtTheDividedClockAndInterruptOnceInOneShotMode() {
        write(0xF0, 0x1FF); // software enable
        write(0x3E0, 0x3); // divide by 16
        write(0x320, 0x40); // one-shot, vector 0x40, unmasked
        write(0x380, 1000); // 1000 ticks = 16,000 ns
        runTo(8000);
        assertEquals(500, read(0x390), "half-way");
        assertFalse(apic.pending());
        runTo(16000);
        assertEquals(0, read(0x390));
        assertTrue(apic.pending());
        assertEquals(0x40, apic.acknowledge());
        assertEquals(1 << 0, read(0x100 + 0x20) & 1, "vector 0x40 in service (ISR bit 64)");
        write(0xB0, 0); // EOI
        assertEquals(0, read(0x120));
        runTo(100_000);
        assertFalse(apic.pending(), "one-shot: no second interrupt");
    }

    @Test
    void shouldReloadInPeriodicMode() {
        write(0xF0, 0x100);
        write(0x3E0, 0xB); // divide by 1
        write(0x320, 0x20031); // periodic, vector 0x31
        write(0x380, 100);
        int interrupts = 0;
        for (long t = 1; t <= 1000; t++) {
            runTo(t);
            if (apic.pending()) {
                assertEquals(0x31, apic.acknowledge());
                write(0xB0, 0);
                interrupts++;
            }
        }
        assertEquals(10, interrupts, "one interrupt per 100 ns over 1000 ns");
        assertEquals(100, read(0x390), "reloaded at 1000 ns");
    }

    @Test
    void shouldHoldInterruptsAtOrBelowTheTaskPriorityClass() {
        write(0xF0, 0x1FF);
        write(0x80, 0x50); // TPR class 5
        write(0x300, 0x00044045); // fixed IPI to self, vector 0x45
        assertFalse(apic.pending(), "class 4 <= TPR class 5");
        write(0x80, 0x30);
        assertTrue(apic.pending());
        assertEquals(0x45, apic.acknowledge());
        assertEquals(0x40, read(0xA0), "PPR = in-service class");
    }

    @Test
    void shouldPassThePicThroughLint0UnlessMaskedOrTheApicIsDisabled() {
        picVector = 0x08;
        assertTrue(apic.pending(), "LINT0 is ExtINT, unmasked at reset (as QEMU's BSP)");
        assertEquals(0x08, apic.acknowledge());
        write(0x350, 0x10700); // mask LINT0
        picVector = 0x09;
        assertFalse(apic.pending());
        apicBase &= ~0x800L; // IA32_APIC_BASE global disable: the PIC reaches the CPU directly
        assertTrue(apic.pending());
        assertEquals(0x09, apic.acknowledge());
    }

    @Test
    void shouldRestoreTheSameStateFromASnapshot() {
        write(0xF0, 0x1FF);
        write(0x320, 0x40);
        write(0x380, 5000);
        runTo(1000);
        final StateWriter w = new StateWriter();
        apic.save(w);
        final byte[] image = w.toByteArray();
        apic.reset(ResetKind.WARM);
        apic.load(new StateReader(image), apic.stateVersion());
        final StateWriter again = new StateWriter();
        apic.save(again);
        assertArrayEquals(image, again.toByteArray());
        assertEquals(4500, read(0x390), "divide configuration 0 divides by 2 (SDM Figure 11-10): 500 ticks in 1000 ns");
    }

    /** An ICR write with delivery mode NMI (100b) to self reaches the CPU's NMI input, not the IRR (SDM Vol. 3A, 11.6.1). */
    @Test
    void shouldSignalNmiWhenIcrSendsNmiToSelf() {
        final int[] nmis = {0};
        apic.setNmiSink(() -> nmis[0]++);
        write(0x310, 0);
        write(0x300, (1 << 18) | (4 << 8) | 0x30);
        assertEquals(1, nmis[0]);
        write(0x300, (1 << 18) | 0x30);
        assertEquals(1, nmis[0], "a fixed IPI is not an NMI");
    }
}
