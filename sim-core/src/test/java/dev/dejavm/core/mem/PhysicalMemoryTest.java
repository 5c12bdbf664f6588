package dev.dejavm.core.mem;

import dev.dejavm.core.bus.MmioBus;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PhysicalMemoryTest {
    @Test
    void shouldAliasRomAndDropWritesToIt() {
        try (GuestRam ram = new GuestRam(2 << 20); Arena arena = Arena.ofConfined()) {
            final PhysicalMemory m = new PhysicalMemory(new MmioBus());
            m.mapRam(0, ram.size(), ram.segment(), 0);
            final MemorySegment rom = arena.allocate(0x10000, 4096);
            rom.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0xFFF0, (byte) 0xEA);
            m.mapRom(0xFFFF0000L, 0x10000, rom, 0);
            m.mapRom(0xF0000, 0x10000, rom, 0);
            assertEquals(0xEA, m.readByte(0xFFFFFFF0L));
            assertEquals(0xEA, m.readByte(0xFFFF0));
            m.writeByte(0xFFFF0, 0x90);
            assertEquals(0xEA, m.readByte(0xFFFFFFF0L), "ROM writes are dropped");
        }
    }

    @Test
    void shouldWrapAt1MiBWhenA20Disabled() {
        try (GuestRam ram = new GuestRam(4 << 20)) {
            final PhysicalMemory m = new PhysicalMemory(new MmioBus());
            m.mapRam(0, ram.size(), ram.segment(), 0);
            m.writeByte(0x100000, 0x11);
            m.writeByte(0x000000, 0x22);
            m.setA20(false);
            assertEquals(0x22, m.readByte(0x100000));
            m.setA20(true);
            assertEquals(0x11, m.readByte(0x100000));
        }
    }

    @Test
    void shouldSplitAccessesCrossingPagesAndReadUnmappedAsAllOnes() {
        try (GuestRam ram = new GuestRam(1 << 20)) {
            final PhysicalMemory m = new PhysicalMemory(new MmioBus());
            m.mapRam(0, 0x2000, ram.segment(), 0);
            m.writeDword(0xFFE, 0xAABBCCDD);
            assertEquals(0xAABBCCDD, m.readDword(0xFFE));
            assertEquals(0xCCDD, m.readWord(0xFFE));
            assertEquals(0xFFFFFFFF, m.readDword(0x2000));
            assertEquals(0xFF, m.readByte(0xFFFFFFFFFFL)); // above 4 GiB: MMIO bus, unassigned
        }
    }

    @Test
    void shouldReportWritesToCodePages() {
        try (GuestRam ram = new GuestRam(1 << 20)) {
            final PhysicalMemory m = new PhysicalMemory(new MmioBus());
            m.mapRam(0, ram.size(), ram.segment(), 0);
            final long[] hit = {-1};
            m.setCodeWriteListener((pa, size) -> hit[0] = pa);
            m.writeByte(0x5000, 1);
            assertEquals(-1, hit[0]);
            m.markCodePage(0x5000);
            m.writeWord(0x5ABC, 1);
            assertEquals(0x5ABC, hit[0]);
        }
    }

    @Test
    void shouldRejectUnalignedMappings() {
        final PhysicalMemory m = new PhysicalMemory(new MmioBus());
        try (GuestRam ram = new GuestRam(1 << 20)) {
            assertThrows(IllegalArgumentException.class, () -> m.mapRam(0x800, 0x1000, ram.segment(), 0));
            assertThrows(IllegalArgumentException.class, () -> new GuestRam(1000));
        }
    }
}
