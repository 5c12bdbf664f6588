package dev.dejavm.platform.dev.dma;

import dev.dejavm.core.bus.PortBus;
import dev.dejavm.core.state.ResetKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The 8237A pair through the PC/AT's ports (Intel 8237A datasheet: register map, flip-flop, masks, master clear). */
class I8237PairTest {
    private final PortBus bus = new PortBus();
    private final I8237Pair dma = new I8237Pair();

    @BeforeEach
    void map() {
        bus.map(I8237Pair.MASTER_BASE, I8237Pair.CONTROLLER_PORTS, dma.masterPorts(), "dma-master");
        bus.map(I8237Pair.SLAVE_BASE, 32, dma.slavePorts(), "dma-slave");
        for (final int[] r : I8237Pair.PAGE_RANGES) {
            bus.map(r[0], r[1], dma.pagePorts(r[0]), "dma-page");
        }
    }

    private void out(final int port, final int v) {
        bus.write(port, 1, v);
    }

    private int in(final int port) {
        return bus.read(port, 1);
    }

    @Test
    void everyChannelIsMaskedAfterReset() {
        for (int ch = 0; ch < 8; ch++) {
            assertTrue(dma.masked(ch));
        }
        assertEquals(0xFF, in(0x0F), "all-mask register: four mask bits, upper bits read as ones");
    }

    @Test
    void addressAndCountGoThroughTheFlipFlopLowByteFirst() {
        out(0x0C, 0); // clear flip-flop
        out(0x04, 0x34);
        out(0x04, 0x12); // channel 2 address 0x1234
        out(0x81, 0x05); // channel 2 page
        assertEquals(0x051234, dma.channelAddress(2));
        out(0x0C, 0);
        assertEquals(0x34, in(0x04));
        assertEquals(0x12, in(0x04));
        out(0x05, 0xFF);
        out(0x05, 0x01);
        out(0x0C, 0);
        assertEquals(0xFF, in(0x05));
        assertEquals(0x01, in(0x05));
    }

    @Test
    void slaveChannelsAddressWordsAndUseEvenPages() {
        out(0xD8, 0); // slave clear flip-flop (register 0xC at 0xC0 + 2 * 0xC)
        out(0xC4, 0x00);
        out(0xC4, 0x80); // channel 5 word address 0x8000
        out(0x8B, 0x03); // channel 5 page
        assertEquals(0x020000 | 0x8000 << 1, dma.channelAddress(5), "A0 not driven: byte address = word << 1, page bit 0 dropped");
        assertEquals(0xFF, in(0xC5), "odd slave ports do not decode");
    }

    @Test
    void singleMaskClearMaskAndMasterClear() {
        out(0x0A, 0x02); // unmask channel 2
        assertFalse(dma.masked(2));
        out(0x0A, 0x06); // mask channel 2
        assertTrue(dma.masked(2));
        out(0x0E, 0); // clear all masks
        for (int ch = 0; ch < 4; ch++) {
            assertFalse(dma.masked(ch));
        }
        out(0xDA, 0); // slave master clear (what SeaBIOS writes)
        for (int ch = 4; ch < 8; ch++) {
            assertTrue(dma.masked(ch));
        }
        out(0xD4, 0x00); // slave single mask: unmask channel 4 (cascade), as SeaBIOS does
        assertFalse(dma.masked(4));
        out(0x0F, 0x05);
        assertEquals(0xF5, in(0x0F));
    }

    @Test
    void statusTerminalCountBitsClearOnRead() {
        assertEquals(0, in(0x08));
        out(0x09, 0x04 | 1); // software request on channel 1
        assertEquals(0, in(0x08) & 0x0F);
    }

    @Test
    void resetClearsTheRegistersAndUnassignedPagesStayUnassigned() {
        out(0x87, 0x42);
        assertEquals(0x42, in(0x87));
        dma.reset(ResetKind.WARM);
        assertEquals(0, in(0x87));
        assertEquals(0xFF, in(0x84), "0x84 is not a page register (unassigned)");
    }
}
