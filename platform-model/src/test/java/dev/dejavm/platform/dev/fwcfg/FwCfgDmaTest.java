package dev.dejavm.platform.dev.fwcfg;

import dev.dejavm.core.bus.PortBus;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fw_cfg DMA interface as QEMU's docs/specs/fw_cfg.rst specifies it: big-endian address register at
 * 0x514/0x518 that reads back "QEMU CFG", descriptors {control, length, address} in big-endian, control written
 * back as 0 or the error bit, and every guest range checked against RAM.
 */
class FwCfgDmaTest {
    private static final int RAM = 1 << 20;
    private final byte[] ram = new byte[RAM];
    private final FwCfg fw = new FwCfg(128L << 20, 2, new FwCfg.DmaMemory() {
        @Override
        public boolean isRam(final long address, final long length) {
            return address >= 0 && length >= 0 && address + length <= RAM;
        }

        @Override
        public int read(final long address) {
            return ram[(int) address] & 0xFF;
        }

        @Override
        public void write(final long address, final int value) {
            ram[(int) address] = (byte) value;
        }
    });
    private final PortBus bus = new PortBus();

    FwCfgDmaTest() {
        fw.addFile("etc/test", "hello, fw_cfg".getBytes(StandardCharsets.US_ASCII));
        fw.seal();
        bus.map(0x510, 2, fw, "fw_cfg");
        bus.map(0x514, 8, fw.dmaPort(), "fw_cfg-dma");
    }

    private void descriptor(final int at, final int control, final int length, final long address) {
        ByteBuffer.wrap(ram, at, 16).putInt(control).putInt(length).putLong(address);
    }

    /** What the guest does: the address in two big-endian halves, the low half last. */
    private void kick(final long address) {
        bus.write(0x514, 4, Integer.reverseBytes((int) (address >>> 32)));
        bus.write(0x518, 4, Integer.reverseBytes((int) address));
    }

    private int control(final int at) {
        return ByteBuffer.wrap(ram, at, 4).getInt();
    }

    @Test
    void shouldReportDmaInTheIdAndReadBackTheSignature() {
        bus.write(0x510, 2, FwCfg.ID);
        assertEquals(3, bus.read(0x511, 1), "traditional interface and DMA");
        final StringBuilder sig = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sig.append((char) bus.read(0x514 + i, 1));
        }
        assertEquals("QEMU CFG", sig.toString());
    }

    @Test
    void shouldSelectAndReadAnItemIntoGuestMemory() {
        descriptor(0x1000, FwCfg.FILE_FIRST << 16 | 0x08 | 0x02, 5, 0x2000);
        kick(0x1000);
        assertEquals("hello", new String(ram, 0x2000, 5, StandardCharsets.US_ASCII));
        assertEquals(0, control(0x1000), "control cleared: done, no error");
        // Skip two bytes, then read the rest and beyond the end (zeros).
        descriptor(0x1000, 0x04, 2, 0);
        kick(0x1000);
        descriptor(0x1000, 0x02, 8, 0x3000);
        kick(0x1000);
        assertEquals("fw_cfg\0\0", new String(ram, 0x3000, 8, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldRefuseBuffersOutsideRamAndWrites() {
        descriptor(0x1000, FwCfg.SIGNATURE << 16 | 0x08 | 0x02, 16, RAM - 8);
        kick(0x1000);
        assertEquals(0x01, control(0x1000), "error: the buffer ends beyond RAM, nothing written");
        assertEquals(0, ram[RAM - 8]);
        descriptor(0x1000, 0x10, 4, 0x2000);
        kick(0x1000);
        assertEquals(0x01, control(0x1000), "error: items are read-only");
        descriptor(0x1000, 0x02, -1, 0x2000); // 4 GiB - 1 bytes
        kick(0x1000);
        assertEquals(0x01, control(0x1000));
        kick(0xFFFF_FFFF_FFFF_FFF0L); // a descriptor outside RAM: ignored, nothing touched
    }
}
