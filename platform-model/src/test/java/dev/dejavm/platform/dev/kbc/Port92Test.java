package dev.dejavm.platform.dev.kbc;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** System control port A (0x92): A20 gate in bit 1, fast reset in bit 0. */
class Port92Test extends DeviceContract<Port92> {
    @Override
    protected Port92 device() {
        return new Port92(control);
    }

    @Override
    protected int base() {
        return Port92.PORT;
    }

    @Override
    protected int ports() {
        return 1;
    }

    @Override
    protected void mutate() {
        bus.write(Port92.PORT, 1, 0x02);
    }

    @Test
    void shouldReadBackTheA20BitAndResetOnBit0() {
        mapped();
        bus.write(0x92, 1, 0x02);
        assertEquals(0x02, bus.read(0x92, 1));
        assertEquals(0, resets);
        bus.write(0x92, 1, 0x03);
        assertEquals(1, resets, "fast reset");
        assertEquals(0x02, bus.read(0x92, 1), "bit 0 reads 0");
    }
}
