package dev.dejavm.platform.dev.rtc;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MC146818A behaviour from its datasheet, observed only through ports 0x70/0x71 with virtual time stepped. */
class Mc146818Test extends DeviceContract<Mc146818> {
    private static final long START = Instant.parse("2024-01-01T00:00:00Z").getEpochSecond();
    private static final long SECOND = 1_000_000_000L;

    @Override
    protected Mc146818 device() {
        return new Mc146818(new Mc146818.Config(START), timeline);
    }

    @Override
    protected int base() {
        return 0x70;
    }

    @Override
    protected int ports() {
        return 2;
    }

    @Override
    protected void mutate() {
        cmosWrite(0x40, 0x5A);
    }

    private int cmos(final int reg) {
        outb(0x70, reg);
        return inb(0x71);
    }

    private void cmosWrite(final int reg, final int v) {
        outb(0x70, reg);
        outb(0x71, v);
    }

    @Test
    void shouldReadConfiguredStartInBcdWhenPoweredOn() {
        mapped();
        assertEquals(0x00, cmos(0x00));
        assertEquals(0x00, cmos(0x02));
        assertEquals(0x00, cmos(0x04));
        assertEquals(0x02, cmos(0x06)); // 2024-01-01 was a Monday; Sunday = 1
        assertEquals(0x01, cmos(0x07));
        assertEquals(0x01, cmos(0x08));
        assertEquals(0x24, cmos(0x09));
        assertEquals(0x20, cmos(0x32));
        assertEquals(0x26, cmos(0x0A));
        assertEquals(0x02, cmos(0x0B));
        assertEquals(0x80, cmos(0x0D));
    }

    @Test
    void shouldAdvanceWithVirtualTimeAndCarryIntoMinutes() {
        mapped();
        step(61 * SECOND);
        assertEquals(0x01, cmos(0x00));
        assertEquals(0x01, cmos(0x02));
        step(3600 * 24 * SECOND);
        assertEquals(0x02, cmos(0x07)); // next day
    }

    @Test
    void shouldSetUipOnlyInLast244MicrosecondsOfSecond() {
        mapped();
        step(SECOND - 245_000);
        assertEquals(0, cmos(0x0A) & 0x80);
        step(2_000);
        assertEquals(0x80, cmos(0x0A) & 0x80);
        step(243_000);
        assertEquals(0, cmos(0x0A) & 0x80, "UIP clear once the second has rolled over");
    }

    @Test
    void shouldReportBinaryAnd12HourFormatsWhenRegisterBSaysSo() {
        mapped();
        step(13 * 3600 * SECOND + 5 * 60 * SECOND + 9 * SECOND); // 13:05:09
        assertEquals(0x13, cmos(0x04));
        cmosWrite(0x0B, 0x04 | 0x02); // binary, 24 h
        assertEquals(13, cmos(0x04));
        assertEquals(9, cmos(0x00));
        cmosWrite(0x0B, 0x00); // BCD, 12 h
        assertEquals(0x80 | 0x01, cmos(0x04)); // 1 PM
    }

    @Test
    void shouldFreezeWhileSetAndRunOnFromWrittenTime() {
        mapped();
        cmosWrite(0x0B, 0x82); // SET, 24 h, BCD
        cmosWrite(0x04, 0x23);
        cmosWrite(0x02, 0x59);
        cmosWrite(0x00, 0x58);
        step(5 * SECOND);
        assertEquals(0x58, cmos(0x00), "frozen while SET");
        cmosWrite(0x0B, 0x02);
        step(3 * SECOND);
        assertEquals(0x01, cmos(0x00));
        assertEquals(0x00, cmos(0x02));
        assertEquals(0x00, cmos(0x04));
        assertEquals(0x02, cmos(0x07), "rolled into the next day");
    }

    @Test
    void shouldClearFlagsWhenRegisterCIsRead() {
        mapped();
        cmos(0x0C);
        step(SECOND);
        assertTrue((cmos(0x0C) & 0x10) != 0, "update-ended flag after a second");
        assertEquals(0, cmos(0x0C) & 0x10);
    }

    @Test
    void shouldKeepCmosRamAndShutdownByteWhenWarmReset() {
        final Mc146818 rtc = mapped();
        cmosWrite(0x0F, 0x0A);
        cmosWrite(0x50, 0x77);
        rtc.reset(dev.dejavm.core.state.ResetKind.WARM);
        assertEquals(0x0A, cmos(0x0F));
        assertEquals(0x77, cmos(0x50));
        rtc.reset(dev.dejavm.core.state.ResetKind.POWER_ON);
        assertEquals(0x00, cmos(0x50));
    }

    @Test
    void shouldLatchNmiMaskBitWithoutChangingIndex() {
        final Mc146818 rtc = mapped();
        outb(0x70, 0x80 | 0x09);
        assertTrue(rtc.nmiDisabled());
        assertEquals(0x24, inb(0x71));
        outb(0x70, 0x09);
        assertTrue(!rtc.nmiDisabled());
    }

    /** Datasheet: IRQ goes active when an enabled flag (PF/AF/UF with PIE/AIE/UIE) sets and stays until C is read. */
    @Test
    void shouldRaiseIrqForEnabledPeriodicAndUpdateInterruptsUntilRegisterCIsRead() {
        final boolean[] irq = new boolean[1];
        final int[] edges = new int[1];
        final Mc146818 rtc = new Mc146818(new Mc146818.Config(START), timeline, level -> {
            if (level && !irq[0]) {
                edges[0]++;
            }
            irq[0] = level;
        });
        rtc.reset(dev.dejavm.core.state.ResetKind.POWER_ON);
        bus.map(0x70, 2, rtc, "rtc2");
        cmosWrite(0x0A, 0x26); // 32.768 kHz time base, rate 6: 1024 Hz, 976,562 ns
        cmosWrite(0x0B, 0x42); // PIE, 24-hour
        step(900_000);
        assertFalse(irq[0], "before the first period ends");
        step(100_000);
        assertTrue(irq[0], "periodic interrupt");
        step(5_000_000);
        assertEquals(1, edges[0], "held, not repeated, until register C is read");
        assertEquals(0xC0, cmos(0x0C) & 0xC0, "IRQF and PF");
        assertFalse(irq[0], "reading C releases the line");
        step(1_000_000);
        assertEquals(2, edges[0], "the next period interrupts again");
        cmos(0x0C);
        cmosWrite(0x0B, 0x12); // UIE only
        step(SECOND);
        assertTrue(irq[0], "update-ended interrupt at the second boundary");
        assertEquals(0x90, cmos(0x0C) & 0x90, "IRQF and UF");
        cmosWrite(0x0B, 0x02); // nothing enabled
        step(3 * SECOND);
        assertFalse(irq[0]);
    }
}
