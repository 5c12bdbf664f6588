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
}
