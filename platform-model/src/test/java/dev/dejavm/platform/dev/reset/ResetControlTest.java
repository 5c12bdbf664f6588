package dev.dejavm.platform.dev.reset;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reset control register 0xCF9 (PIIX3 datasheet 4.1.5; QEMU piix3 rcr_write). */
class ResetControlTest extends DeviceContract<ResetControl> {
    @Override
    protected ResetControl device() {
        return new ResetControl(control);
    }

    @Override
    protected int base() {
        return 0xCF9;
    }

    @Override
    protected int ports() {
        return 1;
    }

    @Override
    protected void mutate() {
        outb(0xCF9, 0x02);
    }

    @Test
    void shouldResetWhenRstCpuWritten() {
        mapped();
        outb(0xCF9, 0x02);
        assertEquals(0, resets);
        assertEquals(0x02, inb(0xCF9));
        outb(0xCF9, 0x06);
        assertEquals(1, resets);
        outb(0xCF9, 0x04);
        assertEquals(2, resets);
    }
}
