package dev.dejavm.platform.dev.fwcfg;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** fw_cfg as QEMU's docs/specs/fw_cfg.rst specifies it, through ports 0x510/0x511. */
class FwCfgTest extends DeviceContract<FwCfg> {
    @Override
    protected FwCfg device() {
        final FwCfg f = new FwCfg(128L << 20, 2);
        f.addFile("opt/b", "second".getBytes(StandardCharsets.US_ASCII));
        f.addFile("opt/a", new byte[] {1, 2, 3});
        return f;
    }

    @Override
    protected int base() {
        return 0x510;
    }

    @Override
    protected int ports() {
        return 2;
    }

    @Override
    protected void mutate() {
        outw(0x510, 0x19);
        inb(0x511);
    }

    private byte[] read(final int key, final int n) {
        outw(0x510, key);
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) inb(0x511);
        }
        return b;
    }

    private static long le(final byte[] b) {
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    private static long be(final byte[] b, final int off, final int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    @Test
    void shouldReturnSignatureIdRamAndCpus() {
        mapped();
        assertEquals("QEMU", new String(read(0x00, 4), StandardCharsets.US_ASCII));
        assertEquals(1, le(read(0x01, 4)), "traditional interface only");
        assertEquals(128L << 20, le(read(0x03, 8)));
        assertEquals(2, le(read(0x05, 2)));
    }

    @Test
    void shouldListFilesBigEndianSortedByNameInDirectory() {
        mapped();
        final byte[] dir = read(0x19, 4 + 2 * 64);
        assertEquals(2, be(dir, 0, 4));
        assertEquals(3, be(dir, 4, 4));
        assertEquals(0x20, be(dir, 8, 2));
        assertEquals("opt/a", new String(dir, 12, 5, StandardCharsets.US_ASCII));
        assertEquals(0, dir[12 + 5]);
        assertEquals(6, be(dir, 68, 4));
        assertEquals(0x21, be(dir, 72, 2));
        assertEquals("opt/b", new String(dir, 76, 5, StandardCharsets.US_ASCII));
        assertEquals("second", new String(read(0x21, 6), StandardCharsets.US_ASCII));
    }

    @Test
    void shouldKeepArchitectureLocalKeysApartFromGenericOnes() {
        final FwCfg f = device();
        f.setItem(0x8002, new byte[] {1, 0, 0, 0});
        f.reset(dev.dejavm.core.state.ResetKind.POWER_ON);
        bus.map(base(), ports(), f, "fw_cfg");
        assertEquals(1, le(read(0x8002, 4)), "irq0_override in the arch-local bank");
        assertEquals(0, le(read(0x8000, 2)), "absent arch-local key, not the signature at key 0");
        assertEquals("QEMU", new String(read(0x4000, 4), StandardCharsets.US_ASCII), "the write flag (bit 14) is ignored");
    }

    @Test
    void shouldReadZeroPastEndAndForAbsentKeys() {
        mapped();
        final byte[] b = read(0x20, 5);
        assertEquals(3, b[2]);
        assertEquals(0, b[3]);
        assertEquals(0, b[4]);
        assertEquals(0, read(0x1234, 2)[0]);
    }

    @Test
    void shouldRestartItemWhenReselectedAndSelectKeyZeroAfterReset() {
        final FwCfg f = mapped();
        read(0x00, 2);
        assertEquals('Q', read(0x00, 1)[0]);
        outw(0x510, 0x05);
        f.reset(dev.dejavm.core.state.ResetKind.WARM);
        assertEquals('Q', inb(0x511));
    }
}
