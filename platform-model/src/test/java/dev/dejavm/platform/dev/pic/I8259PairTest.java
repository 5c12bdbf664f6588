package dev.dejavm.platform.dev.pic;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 8259A pair behaviour (datasheet) through ports 0x20/0x21, 0xA0/0xA1 and 0x4D0/0x4D1. */
class I8259PairTest extends DeviceContract<I8259Pair> {
    private I8259Pair pic;

    @Override
    protected I8259Pair device() {
        pic = new I8259Pair();
        return pic;
    }

    @Override
    protected int base() {
        return 0x20;
    }

    @Override
    protected int ports() {
        return 2;
    }

    @Override
    protected void mutate() {
        outb(0x21, 0xFB);
    }

    private void initLikeBios() {
        bus.map(0xA0, 2, pic.slavePorts(), "slave");
        bus.map(0x4D0, 2, pic.elcrPorts(), "elcr");
        outb(0x20, 0x11); // ICW1: edge, cascade, ICW4
        outb(0x21, 0x08); // ICW2: vectors 0x08-0x0F
        outb(0x21, 0x04); // ICW3: slave on IR2
        outb(0x21, 0x01); // ICW4: 8086 mode
        outb(0xA0, 0x11);
        outb(0xA1, 0x70);
        outb(0xA1, 0x02);
        outb(0xA1, 0x01);
        outb(0x21, 0x00);
        outb(0xA1, 0x00);
    }

    @Test
    void shouldDeliverVectorAndHoldLowerPrioritiesUntilEoi() {
        mapped();
        initLikeBios();
        pic.setIrq(1, true);
        pic.setIrq(0, true);
        assertTrue(pic.pending());
        assertEquals(0x08, pic.acknowledge(), "IR0 has the highest priority");
        assertFalse(pic.pending(), "IR1 waits while IR0 is in service");
        outb(0x20, 0x0B);
        assertEquals(0x01, inb(0x20), "ISR shows IR0");
        outb(0x20, 0x20); // non-specific EOI
        assertTrue(pic.pending());
        assertEquals(0x09, pic.acknowledge());
    }

    @Test
    void shouldMaskAndLatchEdges() {
        mapped();
        initLikeBios();
        outb(0x21, 0x01); // mask IR0
        pic.setIrq(0, true);
        assertFalse(pic.pending());
        outb(0x20, 0x0A);
        assertEquals(0x01, inb(0x20), "IRR latched the edge");
        outb(0x21, 0x00);
        assertTrue(pic.pending());
        assertEquals(0x08, pic.acknowledge());
        pic.setIrq(0, true); // still high: no new edge
        outb(0x20, 0x20);
        assertFalse(pic.pending());
    }

    @Test
    void shouldDeliverSlaveVectorThroughCascade() {
        mapped();
        initLikeBios();
        pic.setIrq(8, true);
        assertTrue(pic.pending());
        assertEquals(0x70, pic.acknowledge());
        outb(0xA0, 0x20);
        outb(0x20, 0x20);
        assertFalse(pic.pending());
    }

    @Test
    void shouldFollowLevelWhenElcrSaysLevelTriggered() {
        mapped();
        initLikeBios();
        outb(0x4D1, 0x08); // IRQ11 level-triggered
        assertEquals(0x08, inb(0x4D1));
        outb(0x4D0, 0x07);
        assertEquals(0x00, inb(0x4D0), "IRQ0-2 are always edge-triggered");
        pic.setIrq(11, true);
        assertTrue(pic.pending());
        pic.setIrq(11, false);
        outb(0xA0, 0x0A);
        assertEquals(0x00, inb(0xA0), "the slave no longer requests a level interrupt that went away");
        // The master's IR2 input is edge-triggered and stays latched: the acknowledge cycle finds nothing on the
        // slave and yields its spurious vector (IR7 of the slave, 0x77), as on the 8259A.
        assertTrue(pic.pending());
        assertEquals(0x77, pic.acknowledge());
    }
}
