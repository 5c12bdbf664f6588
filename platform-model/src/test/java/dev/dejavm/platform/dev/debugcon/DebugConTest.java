package dev.dejavm.platform.dev.debugcon;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** QEMU isa-debugcon semantics at 0x402. */
class DebugConTest extends DeviceContract<DebugCon> {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Override
    protected DebugCon device() {
        return new DebugCon(DebugCon.Config.QEMU, out::write);
    }

    @Override
    protected int base() {
        return 0x402;
    }

    @Override
    protected int ports() {
        return 1;
    }

    @Override
    protected void mutate() {
        // stateless: nothing to mutate
    }

    @Override
    protected boolean hasState() {
        return false; // QEMU's isa-debugcon keeps no state either
    }

    @Test
    void shouldReadBackE9AndPrintWrittenBytes() {
        mapped();
        assertEquals(0xE9, inb(0x402));
        outb(0x402, 'o');
        outb(0x402, 'k');
        assertEquals("ok", out.toString());
    }
}
