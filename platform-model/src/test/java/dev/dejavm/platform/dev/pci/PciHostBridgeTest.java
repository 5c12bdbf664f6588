package dev.dejavm.platform.dev.pci;

import dev.dejavm.platform.dev.DeviceContract;
import dev.dejavm.platform.dev.reset.ResetControl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Configuration mechanism #1 with the i440FX at 00:00.0, through ports 0xCF8-0xCFF. */
class PciHostBridgeTest extends DeviceContract<PciHostBridge> {
    private final List<String> pam = new ArrayList<>();

    @Override
    protected PciHostBridge device() {
        final PciHostBridge h = new PciHostBridge(new ResetControl(control));
        h.plug(0, 0, new I440fx((base, size, mode) -> pam.add(Long.toHexString(base) + "+" + Long.toHexString(size) + "=" + mode)));
        return h;
    }

    @Override
    protected int base() {
        return 0xCF8;
    }

    @Override
    protected int ports() {
        return 8;
    }

    @Override
    protected void mutate() {
        bus.write(0xCF8, 4, 0x80000058);
    }

    private int config(final int dev, final int fn, final int reg, final int size) {
        bus.write(0xCF8, 4, 0x80000000 | dev << 11 | fn << 8 | (reg & 0xFC));
        return bus.read(0xCFC + (reg & 3), size);
    }

    private void configWrite(final int dev, final int fn, final int reg, final int size, final int v) {
        bus.write(0xCF8, 4, 0x80000000 | dev << 11 | fn << 8 | (reg & 0xFC));
        bus.write(0xCFC + (reg & 3), size, v);
    }

    @Test
    void shouldIdentifyI440fxAndReadAbsentFunctionsAsAllOnes() {
        mapped();
        assertEquals(0x12378086, config(0, 0, 0x00, 4));
        assertEquals(0x8086, config(0, 0, 0x00, 2));
        assertEquals(0x12, config(0, 0, 0x03, 1));
        assertEquals(0x0600, config(0, 0, 0x0A, 2), "host bridge class");
        assertEquals(0x11001AF4, config(0, 0, 0x2C, 4), "QEMU's default subsystem IDs (Red Hat/Qumranet 1af4:1100)");
        assertEquals(0xFFFFFFFF, config(1, 0, 0x00, 4));
        assertEquals(0xFFFF, config(0, 1, 0x00, 2));
        assertEquals(0x80000100, bus.read(0xCF8, 4), "CONFIG_ADDRESS reads back (function 1 selected last)");
    }

    @Test
    void shouldReadAllOnesWhenConfigAddressDisabled() {
        mapped();
        bus.write(0xCF8, 4, 0x00000000);
        assertEquals(0xFFFFFFFF, bus.read(0xCFC, 4));
    }

    @Test
    void shouldReportPamSegmentsWhenPamRegistersWritten() {
        mapped();
        pam.clear();
        configWrite(0, 0, 0x59, 1, 0x30); // PAM0 high nibble: 0xF0000-0xFFFFF read/write DRAM
        configWrite(0, 0, 0x5A, 1, 0x13); // PAM1: 0xC0000 RW, 0xC4000 read-only
        assertEquals(List.of("f0000+10000=3", "c0000+4000=3", "c4000+4000=1"), pam);
        assertEquals(0x30, config(0, 0, 0x59, 1));
        configWrite(0, 0, 0x5F, 1, 0xFF); // reserved bits stay 0
        assertEquals(0x33, config(0, 0, 0x5F, 1));
        assertEquals(0x1237, config(0, 0, 0x02, 2));
        configWrite(0, 0, 0x00, 4, 0); // identification is read-only
        assertEquals(0x12378086, config(0, 0, 0x00, 4));
    }

    @Test
    void shouldPassByteAccessAt0xCf9ToResetControl() {
        mapped();
        bus.write(0xCF9, 1, 0x06);
        assertEquals(1, resets);
        bus.write(0xCF8, 4, 0x80000000);
        assertEquals(1, resets, "a dword write to 0xCF8 is CONFIG_ADDRESS, not a reset");
    }
}
