package dev.dejavm.platform.dev.ioapic;

import dev.dejavm.core.cpu.InterruptSource;
import dev.dejavm.core.time.Timeline;
import dev.dejavm.platform.dev.lapic.LocalApic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The I/O APIC against the Intel 82093AA datasheet (register access through IOREGSEL/IOWIN, redirection entry
 * layout, edge and level semantics with Remote IRR and EOI) and the local APIC it delivers to (SDM Vol. 3A 11.8:
 * IRR/ISR, TMR and the EOI broadcast of level-triggered vectors).
 */
class IoApicTest {
    private final Timeline timeline = new Timeline();
    private final InterruptSource noPic = new InterruptSource() {
        @Override
        public boolean pending() {
            return false;
        }

        @Override
        public int acknowledge() {
            return -1;
        }
    };
    private final LocalApic lapic = new LocalApic(timeline, noPic, () -> 0xFEE00900L);
    private final IoApic ioapic = new IoApic(lapic);
    private int nmis;

    @BeforeEach
    void enableLapic() {
        lapic.setEoiBroadcast(ioapic::eoi);
        lapic.setNmiSink(() -> nmis++);
        lapic.mmioWrite(0xF0, 4, 0x1FF); // SVR: software enabled
    }

    private int read(final int index) {
        ioapic.mmioWrite(0x00, 1, index);
        return (int) ioapic.mmioRead(0x10, 4);
    }

    private void write(final int index, final int value) {
        ioapic.mmioWrite(0x00, 4, index);
        ioapic.mmioWrite(0x10, 4, value & 0xFFFF_FFFFL);
    }

    private void route(final int pin, final long entry) {
        write(0x10 + 2 * pin + 1, (int) (entry >>> 32));
        write(0x10 + 2 * pin, (int) entry);
    }

    /** The vector the CPU would take next, or -1. */
    private int take() {
        return lapic.pending() ? lapic.acknowledge() : -1;
    }

    private void lapicEoi() {
        lapic.mmioWrite(0xB0, 4, 0);
    }

    @Test
    void registersHaveTheirResetValues() {
        assertEquals(0x00170020, read(0x01), "version 0x20, maximum redirection entry 23");
        assertEquals(0, read(0x00), "ID 0");
        for (int pin = 0; pin < 24; pin++) {
            assertEquals(0x00010000, read(0x10 + 2 * pin), "entry " + pin + " masked");
            assertEquals(0, read(0x11 + 2 * pin));
        }
        ioapic.mmioWrite(0, 1, 0x2A);
        assertEquals(0x2A, ioapic.mmioRead(0, 1), "IOREGSEL reads back");
    }

    @Test
    void onlyWritableBitsChange() {
        write(0x00, 0xFFFF_FFFF);
        assertEquals(0x0F00_0000, read(0x00), "ID is bits 27:24");
        write(0x01, 0);
        assertEquals(0x00170020, read(0x01), "version is read-only");
        route(3, 0xFFFF_FFFF_FFFF_FFFFL);
        assertEquals(0x0001_AFFF, read(0x16), "delivery status (12) and Remote IRR (14) read-only, 31:17 reserved");
        assertEquals(0xFF00_0000, read(0x17), "destination is bits 63:56");
    }

    @Test
    void edgeTriggeredInterruptIsDeliveredOncePerRisingEdge() {
        route(4, 0x31); // vector 0x31, fixed, physical destination 0, edge, unmasked
        ioapic.setInput(4, true);
        assertEquals(0x31, take());
        ioapic.setInput(4, true); // still high: no new edge
        assertEquals(-1, take());
        lapicEoi();
        ioapic.setInput(4, false);
        ioapic.setInput(4, true);
        assertEquals(0x31, take());
    }

    @Test
    void levelTriggeredInterruptWaitsForEoiAndIsRedeliveredWhileAsserted() {
        route(9, IoApic.LEVEL | 0x41);
        ioapic.setInput(9, true);
        assertEquals(0x41, take());
        assertTrue((ioapic.entry(9) & IoApic.REMOTE_IRR) != 0, "Remote IRR set on acceptance");
        assertEquals(-1, take(), "no second message before the EOI");
        lapicEoi(); // the TMR bit makes the local APIC broadcast the EOI
        assertEquals(0x41, take(), "still asserted: delivered again");
        ioapic.setInput(9, false);
        lapicEoi();
        assertEquals(0, ioapic.entry(9) & IoApic.REMOTE_IRR);
        assertEquals(-1, take());
    }

    @Test
    void theEoiRegisterClearsRemoteIrrOfEntriesWithThatVector() {
        route(10, IoApic.LEVEL | 0x52);
        ioapic.setInput(10, true);
        assertEquals(0x52, take());
        ioapic.setInput(10, false);
        ioapic.mmioWrite(0x40, 4, 0x51);
        assertTrue((ioapic.entry(10) & IoApic.REMOTE_IRR) != 0, "another vector leaves it set");
        ioapic.mmioWrite(0x40, 4, 0x52);
        assertEquals(0, ioapic.entry(10) & IoApic.REMOTE_IRR);
    }

    @Test
    void aMaskedEntryHoldsItsRequestUntilUnmasked() {
        route(5, IoApic.MASKED | 0x60);
        ioapic.setInput(5, true);
        assertEquals(-1, take());
        route(5, 0x60); // QEMU's behaviour: the latched edge is delivered on unmask
        assertEquals(0x60, take());
    }

    @Test
    void theLapicTakesVectorsByPriorityAndTheTmrFollowsTheTrigger() {
        route(1, 0x35);
        route(2, IoApic.LEVEL | 0x95);
        ioapic.setInput(1, true);
        ioapic.setInput(2, true);
        assertEquals(0x95, take(), "higher priority class first");
        assertEquals(-1, take(), "0x35 waits while 0x95 is in service");
        assertEquals(1 << (0x95 & 31), (int) lapic.mmioRead(0x180 + 0x10 * (0x95 >> 5), 4), "TMR bit of the level vector");
        ioapic.setInput(2, false);
        lapicEoi();
        assertEquals(0x35, take());
    }

    @Test
    void destinationsOtherThanThisCpuAreNotAccepted() {
        route(6, (1L << 56) | 0x70); // physical APIC ID 1: no such CPU
        ioapic.setInput(6, true);
        assertEquals(-1, take());
        route(7, (0xFFL << 56) | 0x71); // broadcast
        ioapic.setInput(7, true);
        assertEquals(0x71, take());
        lapicEoi();
        lapic.mmioWrite(0xD0, 4, 0x0100_0000L); // LDR: logical ID bit 0 (flat model)
        route(8, (0x01L << 56) | (1L << 11) | 0x72);
        ioapic.setInput(8, true);
        assertEquals(0x72, take());
    }

    @Test
    void nmiAndIllegalVectors() {
        route(11, (IoApic.NMI << 8) | 0x02);
        ioapic.setInput(11, true);
        assertEquals(1, nmis);
        route(12, 0x05); // vectors 0-15 are illegal: ESR "received illegal vector", nothing delivered
        ioapic.setInput(12, true);
        assertEquals(-1, take());
        lapic.mmioWrite(0x280, 4, 0);
        assertEquals(0, lapic.mmioRead(0x280, 4) & 0x40, "ESR write clears");
    }

    @Test
    void aSoftwareDisabledLapicAcceptsNothing() {
        lapic.mmioWrite(0xF0, 4, 0xFF);
        route(13, 0x80);
        ioapic.setInput(13, true);
        assertFalse(lapic.pending());
    }

    @Test
    void randomGuestAccessesNeverThrow() {
        final java.util.Random r = new java.util.Random(20261125);
        for (int i = 0; i < 200_000; i++) {
            final long off = r.nextInt(0x1000);
            final int size = 1 << r.nextInt(3);
            switch (r.nextInt(5)) {
                case 0 -> ioapic.mmioRead(off, size);
                case 1 -> ioapic.mmioWrite(off & 0x50, size, r.nextLong());
                case 2 -> ioapic.setInput(r.nextInt(40) - 8, r.nextBoolean());
                case 3 -> take();
                default -> lapicEoi();
            }
        }
    }
}
