package dev.dejavm.platform.dev.pit;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 8254 behaviour from its datasheet, through ports 0x40-0x43, virtual time stepped. */
class I8254Test extends DeviceContract<I8254> {
    private int edges;
    private boolean level;

    @Override
    protected I8254 device() {
        return new I8254(timeline, l -> {
            if (l && !level) {
                edges++;
            }
            level = l;
        });
    }

    @Override
    protected int base() {
        return 0x40;
    }

    @Override
    protected int ports() {
        return 4;
    }

    @Override
    protected void mutate() {
        outb(0x43, 0x34);
        outb(0x40, 0x10);
        outb(0x40, 0x20);
    }

    /** Input clock ticks in ns of virtual time at 1.193182 MHz, computed independently. */
    private static long ticks(final long ns) {
        return java.math.BigInteger.valueOf(ns).multiply(java.math.BigInteger.valueOf(1_193_182))
                .divide(java.math.BigInteger.valueOf(1_000_000_000L)).longValue();
    }

    @Test
    void shouldRaiseIrq0AtRateGivenByReloadInMode2() {
        mapped();
        outb(0x43, 0x34); // channel 0, LSB then MSB, mode 2
        outb(0x40, 1193 & 0xFF);
        outb(0x40, 1193 >> 8); // ~1 kHz
        edges = 0;
        for (int i = 0; i < 100; i++) {
            step(100_000); // 10 ms in 0.1 ms steps
        }
        assertEquals(ticks(10_000_000) / 1193, edges);
    }

    @Test
    void shouldRaiseIrq0At18HzWhenReloadIsZeroInMode3() {
        mapped();
        outb(0x43, 0x36);
        outb(0x40, 0);
        outb(0x40, 0);
        edges = 0;
        step(1_000_000_000L);
        assertEquals(ticks(1_000_000_000L) / 65536, edges); // 18 edges in one second (18.2 Hz)
    }

    @Test
    void shouldReadLatchedCountDecreasingWithTime() {
        mapped();
        outb(0x43, 0x34);
        outb(0x40, 0x00);
        outb(0x40, 0x80); // 0x8000
        step(1_000_000); // 1 ms
        outb(0x43, 0x00); // latch channel 0
        step(5_000_000); // the latched value must not move
        final int v = inb(0x40) | inb(0x40) << 8;
        assertEquals(0x8000 - ticks(1_000_000) % 0x8000, v);
    }

    @Test
    void shouldFireOnceInMode0AndReportOutInStatus() {
        mapped();
        outb(0x43, 0x30); // mode 0
        outb(0x40, 100);
        outb(0x40, 0);
        edges = 0;
        outb(0x43, 0xE2); // read-back status of channel 0
        assertEquals(0, inb(0x40) & 0x80, "OUT low while counting in mode 0");
        step(1_000_000);
        assertEquals(1, edges);
        outb(0x43, 0xE2);
        assertTrue((inb(0x40) & 0x80) != 0, "OUT high after terminal count");
        step(10_000_000);
        assertEquals(1, edges, "mode 0 is one-shot");
    }

    /**
     * QEMU's power-on state (observed in its pic_set_irq trace under SeaBIOS): counter 0 runs in mode 3 with count
     * 65536 from reset, so IRQ0 rises every 65536 / 1193182 s = 54.925 ms; programming mode 2 raises no interrupt by
     * itself, the first edge comes one period after the count is loaded.
     */
    @Test
    void powerOnStateIsQemusAndAControlWordRaisesNoInterrupt() {
        mapped();
        step(54_900_000L);
        assertEquals(0, edges, "no edge before the first period");
        step(100_000L);
        assertEquals(1, edges, "mode 3, count 65536: the first edge after 54.925 ms");
        outb(0x43, 0x34); // counter 0, LSB then MSB, mode 2
        assertEquals(1, edges, "the control word alone raises no interrupt");
        outb(0x40, 0x9C);
        outb(0x40, 0x2E); // 11932: 10 ms
        step(9_990_000L);
        assertEquals(1, edges);
        step(20_000L);
        assertEquals(2, edges, "one period after the count was loaded");
    }
}
