package dev.dejavm.platform.dev.acpi;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ACPI PM block (ACPI 6.5, 4.8.3) through its ports at 0x600. */
class PmBlockTest extends DeviceContract<PmBlock> {
    @Override
    protected PmBlock device() {
        return new PmBlock(timeline, control);
    }

    @Override
    protected int base() {
        return 0x600;
    }

    @Override
    protected int ports() {
        return PmBlock.LENGTH;
    }

    @Override
    protected void mutate() {
        outw(0x602, 0x0121);
    }

    @Test
    void shouldCount3579545TicksPerVirtualSecond() {
        mapped();
        step(1_000_000_000L);
        assertEquals(3_579_545, inl(0x608));
    }

    @Test
    void shouldWrapAt24Bits() {
        mapped();
        // 2^24 ticks take 16777216 / 3579545 s = 4.687 s; at exactly 5 s the counter reads 5 * 3579545 - 2^24.
        step(5_000_000_000L);
        assertEquals(5 * 3_579_545 - (1 << 24), inl(0x608));
    }

    @Test
    void shouldNotOverflowWhenVirtualTimeIsHuge() {
        mapped();
        final long ns = 3_000_000_000_000_000_000L; // ~95 years
        step(ns);
        final java.math.BigInteger exact = java.math.BigInteger.valueOf(ns).multiply(java.math.BigInteger.valueOf(3_579_545))
                .divide(java.math.BigInteger.valueOf(1_000_000_000L)).mod(java.math.BigInteger.ONE.shiftLeft(24));
        assertEquals(exact.intValue(), inl(0x608));
    }

    @Test
    void shouldPowerOffWhenSlpEnWithS5Type() {
        mapped();
        outw(0x604, 0x0001); // SCI_EN only
        assertEquals(0, powerOffs);
        outw(0x604, 0x2000 | (5 << 10)); // SLP_TYP 5: not QEMU's S5 type
        assertEquals(0, powerOffs);
        outw(0x604, 0x2000);
        assertEquals(1, powerOffs);
        assertEquals(0, inw(0x604) & 0x2000, "SLP_EN is write-only");
    }

    @Test
    void shouldSetAndClearTimerStatusWhenBit23Toggles() {
        mapped();
        assertEquals(0, inw(0x600) & 1);
        step(2_343_750_000L + 1_000_000); // just over 2^23 ticks
        assertEquals(1, inw(0x600) & 1);
        outw(0x600, 1);
        assertEquals(0, inw(0x600) & 1);
    }

    @Test
    void apmCommandsSwitchAcpiModeAndThePortsReadBack() {
        final PmBlock pm = mapped();
        final ApmPorts apm = new ApmPorts(pm);
        bus.map(ApmPorts.BASE, ApmPorts.LENGTH, apm, "apm");
        outb(0xB2, 0xF1); // FADT ACPI_ENABLE
        assertEquals(1, inw(0x604) & 1, "SCI_EN set");
        outb(0xB2, 0x12); // any other command: SMI only (none here)
        assertEquals(1, inw(0x604) & 1);
        outb(0xB2, 0xF0); // ACPI_DISABLE
        assertEquals(0, inw(0x604) & 1);
        outb(0xB3, 0x5A);
        assertEquals(0xF0, inb(0xB2));
        assertEquals(0x5A, inb(0xB3));
    }

    @Test
    void sciIsAssertedByAnEnabledTimerOverflowUntilTheStatusIsCleared() {
        final PmBlock pm = mapped();
        final java.util.List<Boolean> sci = new java.util.ArrayList<>();
        pm.setSci(sci::add);
        outw(0x602, 0x0001); // TMR_EN
        outw(0x604, 0x0001); // SCI_EN
        // Bit 23 toggles after 2^23 ticks at 3.579545 MHz: 8388608 / 3579545 s = 2.343484... s.
        step(2_343_484_000L);
        assertEquals(java.util.List.of(), sci, "not yet");
        step(1_000L);
        assertEquals(java.util.List.of(true), sci);
        outw(0x600, 0x0001); // clear TMR_STS
        assertEquals(java.util.List.of(true, false), sci);
        outw(0x604, 0x0000); // SCI_EN off: nothing more even at the next toggle
        step(3_000_000_000L);
        assertEquals(java.util.List.of(true, false), sci);
    }
}
