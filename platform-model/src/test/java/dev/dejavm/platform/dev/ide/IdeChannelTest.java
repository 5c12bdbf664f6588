package dev.dejavm.platform.dev.ide;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A legacy IDE channel without drives, as QEMU's pc presents it (task-file and status reads 0). */
class IdeChannelTest extends DeviceContract<IdeChannel> {
    @Override
    protected IdeChannel device() {
        return new IdeChannel("ide0", false);
    }

    @Override
    protected int base() {
        return IdeChannel.PRIMARY_COMMAND;
    }

    @Override
    protected int ports() {
        return IdeChannel.COMMAND_LENGTH;
    }

    @Override
    protected void mutate() {
        // stateless: nothing to mutate
    }

    @Override
    protected boolean hasState() {
        return false;
    }

    @Test
    void shouldReadStatusZeroSoThatProbesSeeNoDrive() {
        mapped();
        bus.write(0x1F6, 1, 0xA0); // select drive 0
        bus.write(0x1F7, 1, 0xEC); // IDENTIFY DEVICE: nobody answers
        assertEquals(0, bus.read(0x1F7, 1), "status: not busy, not ready");
        for (int r = 1; r < 7; r++) {
            assertEquals(0, bus.read(0x1F0 + r, 1), "task-file register " + r);
        }
        assertEquals(0xFFFF, bus.read(0x1F0, 2), "data register: all-ones");
    }

    @Test
    void shouldReadAlternateStatusZero() {
        final IdeChannel control = new IdeChannel("ide0-control", true);
        bus.map(IdeChannel.PRIMARY_CONTROL, 1, control, "control");
        assertEquals(0, bus.read(0x3F6, 1));
    }
}
