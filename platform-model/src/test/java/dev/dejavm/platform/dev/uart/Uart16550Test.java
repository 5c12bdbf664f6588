package dev.dejavm.platform.dev.uart;

import dev.dejavm.platform.dev.DeviceContract;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** PC16550D registers through ports 0x3F8-0x3FF. */
class Uart16550Test extends DeviceContract<Uart16550> {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean irq;

    @Override
    protected Uart16550 device() {
        return new Uart16550(out::write, level -> irq = level);
    }

    @Override
    protected int base() {
        return 0x3F8;
    }

    @Override
    protected int ports() {
        return 8;
    }

    @Override
    protected void mutate() {
        outb(0x3FF, 0x42);
    }

    @Test
    void shouldLatchDivisorWhenDlabSet() {
        mapped();
        outb(0x3FB, 0x80);
        outb(0x3F8, 0x01);
        outb(0x3F9, 0x02);
        assertEquals(0x01, inb(0x3F8));
        assertEquals(0x02, inb(0x3F9));
        outb(0x3FB, 0x03);
        assertEquals(0x00, inb(0x3F9), "IER, not DLM, once DLAB is clear");
        assertEquals(0x03, inb(0x3FB));
        assertEquals(0, out.size(), "divisor writes are not transmitted");
    }

    @Test
    void shouldTransmitAndShowTransmitterEmpty() {
        mapped();
        outb(0x3F8, 'h');
        outb(0x3F8, 'i');
        assertEquals("hi", out.toString());
        assertEquals(0x60, inb(0x3FD) & 0x61, "THRE | TEMT, no data ready");
    }

    @Test
    void shouldKeepScratchRegister() {
        mapped();
        outb(0x3FF, 0xA5);
        assertEquals(0xA5, inb(0x3FF));
    }

    @Test
    void shouldReportFifoBitsInIirWhenFifoEnabled() {
        mapped();
        assertEquals(0x01, inb(0x3FA));
        outb(0x3FA, 0x07);
        assertEquals(0xC1, inb(0x3FA));
    }

    @Test
    void shouldReceiveInjectedBytesAndRaiseInterrupt() {
        final Uart16550 u = mapped();
        outb(0x3FC, 0x08); // OUT2 gates the IRQ
        outb(0x3F9, 0x01); // received-data interrupt
        u.inject('x');
        assertEquals(true, irq);
        assertEquals(0x04, inb(0x3FA) & 0x0F);
        assertEquals(1, inb(0x3FD) & 1);
        assertEquals('x', inb(0x3F8));
        assertEquals(0, inb(0x3FD) & 1);
        assertEquals(false, irq);
    }
}
