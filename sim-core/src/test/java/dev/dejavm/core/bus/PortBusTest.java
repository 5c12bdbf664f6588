package dev.dejavm.core.bus;

import dev.dejavm.core.event.EventKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PortBusTest {
    /** A byte-wide register file that records the offsets it sees. */
    static final class Regs implements PortDevice {
        final int[] regs = new int[8];
        final List<String> log = new ArrayList<>();

        @Override
        public int ioRead(final int offset, final int size) {
            log.add("r" + offset + "/" + size);
            return regs[offset];
        }

        @Override
        public void ioWrite(final int offset, final int size, final int value) {
            log.add("w" + offset + "/" + size);
            regs[offset] = value;
        }

        @Override
        public int maxAccessSize() {
            return 1;
        }
    }

    @Test
    void shouldReadAllOnesAndFlagUnassignedPorts() {
        final PortBus bus = new PortBus();
        final List<long[]> events = new ArrayList<>();
        bus.setSink((kind, flags, address, size, value) -> events.add(new long[] {kind, flags, address, size, value}));
        assertEquals(0xFF, bus.read(0x1234, 1));
        assertEquals(0xFFFF, bus.read(0x1234, 2));
        assertEquals(-1, bus.read(0x1234, 4));
        bus.write(0x1234, 1, 5);
        assertEquals(4, events.size());
        assertEquals(EventKind.PIO_READ, events.get(0)[0]);
        assertEquals(EventKind.FLAG_UNASSIGNED, events.get(0)[1]);
        assertEquals(0xFFFFFFFFL, events.get(2)[4]);
        assertEquals(EventKind.PIO_WRITE, events.get(3)[0]);
    }

    @Test
    void shouldGiveDeviceOffsetsAndSplitWideAccesses() {
        final PortBus bus = new PortBus();
        final Regs d = new Regs();
        bus.map(0x3F8, 8, d, "regs");
        bus.write(0x3FA, 2, 0xBBAA);
        assertEquals(0xAA, d.regs[2]);
        assertEquals(0xBB, d.regs[3]);
        assertEquals(0xBBAA, bus.read(0x3FA, 2));
        assertEquals(List.of("w2/1", "w3/1", "r2/1", "r3/1"), d.log);
        // A dword read at the last port: the bytes past the device read as unassigned (all-ones).
        assertEquals(0xFFFFFF00 | d.regs[7], bus.read(0x3FF, 4));
    }

    @Test
    void shouldRejectOverlapAndEmptyRanges() {
        final PortBus bus = new PortBus();
        bus.map(0x70, 2, new Regs(), "rtc");
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x71, 1, new Regs(), "other"));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0x80, 0, new Regs(), "empty"));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0xFFFF, 2, new Regs(), "wraps"));
    }

    @Test
    void shouldRejectOverlappingMmioRangesAndReturnConfiguredUnassignedValue() {
        final MmioBus bus = new MmioBus();
        final MmioDevice dev = new MmioDevice() {
            @Override
            public long mmioRead(final long offset, final int size) {
                return offset;
            }

            @Override
            public void mmioWrite(final long offset, final int size, final long value) {
            }
        };
        bus.map(0xFEE00000L, 0x1000, dev, "lapic");
        assertThrows(IllegalArgumentException.class, () -> bus.map(0xFEE00800L, 0x1000, dev, "overlap"));
        assertThrows(IllegalArgumentException.class, () -> bus.map(0xFEDFF800L, 0x1000, dev, "overlap-below"));
        assertEquals(0x30, bus.read(0xFEE00030L, 4));
        assertEquals(0xFFFFFFFFL, bus.read(0xFED40000L, 4));
        bus.setUnassignedReadValue(0);
        assertEquals(0, bus.read(0xFED40000L, 4));
    }

    @Test
    void shouldMoveADeviceWhenItsBaseIsReprogrammed() {
        final PortBus bus = new PortBus();
        final int[] last = new int[1];
        final PortDevice d = new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return 0x40 + offset;
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
                last[0] = offset;
            }
        };
        bus.map(0x600, 4, d, "pm");
        org.junit.jupiter.api.Assertions.assertTrue(bus.move(d, 4, 0xB000));
        assertEquals(0xFF, bus.read(0x600, 1), "the old range is unassigned");
        assertEquals(0x42, bus.read(0xB002, 1), "the device sees offsets from its new base");
        org.junit.jupiter.api.Assertions.assertTrue(bus.move(d, 4, -1));
        assertEquals(0xFF, bus.read(0xB000, 1), "unmapped");
        bus.map(0x70, 2, new PortDevice() {
            @Override
            public int ioRead(final int offset, final int size) {
                return 0;
            }

            @Override
            public void ioWrite(final int offset, final int size, final int value) {
            }
        }, "rtc");
        org.junit.jupiter.api.Assertions.assertFalse(bus.move(d, 4, 0x6E), "never takes over another device's ports");
        assertEquals(0, bus.read(0x70, 1));
        assertEquals(0xFF, bus.read(0x6E, 1));
    }
}
