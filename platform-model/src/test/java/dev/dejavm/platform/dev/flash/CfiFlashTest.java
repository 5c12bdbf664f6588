package dev.dejavm.platform.dev.flash;

import dev.dejavm.core.state.ResetKind;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The flash chip through the command sequences OVMF's QemuFlashFvbServicesRuntimeDxe sends (program: 0x10 + data
 * per byte, then 0xFF; erase: 0x20, 0xD0, 0xFF; detection: 0x50 then 0x70 must read 0x00, the "cleared status" that
 * tells it a flash chip is there) and the Intel command set's read modes, as QEMU's pflash_cfi01 answers them.
 */
class CfiFlashTest {
    private final MemorySegment contents = Arena.ofAuto().allocate(4 * CfiFlash.BLOCK_SIZE);
    private final List<String> events = new ArrayList<>();
    private final CfiFlash chip = new CfiFlash("vars", contents, false);

    CfiFlashTest() {
        for (int i = 0; i < contents.byteSize(); i++) {
            contents.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        chip.setModeListener(readArray -> events.add(readArray ? "array" : "command"));
        chip.setPersistence((offset, length) -> events.add("persist " + Long.toHexString(offset) + "+" + Long.toHexString(length)));
        chip.setErrorLog(message -> events.add("error"));
    }

    private int byteAt(final long off) {
        return contents.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    @Test
    void shouldLookLikeFlashToOvmfsDetection() {
        final long probe = 0x123;
        final int original = (int) chip.mmioRead(probe, 1);
        chip.mmioWrite(probe, 1, 0x50); // clear status: back to read array
        assertEquals(original, chip.mmioRead(probe, 1), "not RAM: the written command does not read back");
        chip.mmioWrite(probe, 1, 0x70);
        assertEquals(0x00, chip.mmioRead(probe, 1), "cleared status register");
        chip.mmioWrite(probe, 1, 0xFF);
        assertEquals(original, chip.mmioRead(probe, 1));
        assertEquals(List.of("command", "array"), events);
    }

    @Test
    void shouldProgramBytesAndReadStatusUntilReadArray() {
        chip.mmioWrite(0x2000, 1, 0x10);
        assertEquals(List.of("command"), events);
        chip.mmioWrite(0x2000, 1, 0x5A);
        assertEquals(0x5A, byteAt(0x2000));
        assertEquals(0x80, chip.mmioRead(0x2000, 1), "status: ready");
        assertEquals(0x00800080L, chip.mmioRead(0x2000, 4), "a 4-byte status read repeats it in bits 23:16");
        chip.mmioWrite(0x2001, 1, 0x40);
        chip.mmioWrite(0x2001, 1, 0xA5);
        chip.mmioWrite(0x2001, 1, 0xFF);
        assertEquals(0xA55AL, chip.mmioRead(0x2000, 2));
        assertEquals(List.of("command", "persist 2000+1", "persist 2001+1", "array"), events);
    }

    @Test
    void shouldEraseTheWholeFourKilobyteBlock() {
        chip.mmioWrite(0x1234, 1, 0x20);
        assertEquals(0xFF, byteAt(0x1000));
        assertEquals(0xFF, byteAt(0x1FFF));
        assertEquals(0x00, byteAt(0x2000), "the next block is untouched");
        assertEquals(0xFE, byteAt(0x0FFE), "the previous block is untouched");
        chip.mmioWrite(0x1234, 1, 0xD0);
        assertEquals(0x80, chip.mmioRead(0, 1));
        chip.mmioWrite(0x1234, 1, 0xFF);
        assertTrue(events.contains("persist 1000+1000"));
        assertFalse(events.contains("error"));
    }

    @Test
    void shouldAnswerIdentifierAndCfiQueries() {
        chip.mmioWrite(0, 1, 0x90);
        assertEquals(CfiFlash.MANUFACTURER, chip.mmioRead(0, 1));
        assertEquals(CfiFlash.DEVICE, chip.mmioRead(1, 1));
        chip.mmioWrite(0, 1, 0xFF);
        chip.mmioWrite(0, 1, 0x98);
        assertEquals('Q', chip.mmioRead(0x10, 1));
        assertEquals('R', chip.mmioRead(0x11, 1));
        assertEquals('Y', chip.mmioRead(0x12, 1));
        assertEquals(14, chip.mmioRead(0x27, 1), "device size 2^14 = 16 KiB");
        assertEquals(3, chip.mmioRead(0x2D, 1), "four blocks (count - 1)");
        assertEquals(0x10, chip.mmioRead(0x2F, 1), "of 16 * 256 bytes");
        chip.mmioWrite(0, 1, 0xFF);
        assertTrue(chip.inReadArrayMode());
    }

    @Test
    void shouldRejectWritesOnAReadOnlyChipWithStatusErrorBits() {
        final CfiFlash code = new CfiFlash("code", contents, true);
        code.mmioWrite(0x10, 1, 0x10);
        code.mmioWrite(0x10, 1, 0x00);
        assertEquals(0x90, code.mmioRead(0x10, 1), "ready + program error");
        assertEquals(0x10, byteAt(0x10));
        code.mmioWrite(0x10, 1, 0x20);
        code.mmioWrite(0x10, 1, 0xD0);
        assertEquals(0xB0, code.mmioRead(0x10, 1), "ready + erase error + program error");
        assertEquals(0x11, byteAt(0x11));
    }

    @Test
    void shouldLogAnUnknownCommandAndReturnToReadArray() {
        chip.mmioWrite(0x40, 1, 0x33);
        assertEquals(List.of("error"), events);
        assertTrue(chip.inReadArrayMode());
        chip.mmioWrite(0x40, 1, 0x20);
        chip.mmioWrite(0x40, 1, 0x77); // an erase without its confirmation
        assertTrue(events.contains("error"));
        assertTrue(chip.inReadArrayMode());
    }

    @Test
    void shouldStayInsideTheChipWhateverOffsetTheGuestGivesAndComeOutOfResetInReadArray() {
        final Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            final long off = r.nextLong();
            if (r.nextBoolean()) {
                chip.mmioWrite(off, 1 << r.nextInt(3), r.nextInt(256));
            } else {
                chip.mmioRead(off, 1 << r.nextInt(3));
            }
        }
        chip.reset(ResetKind.WARM);
        assertTrue(chip.inReadArrayMode());
        assertEquals(byteAt(5), chip.mmioRead(5, 1), "reads are array reads again");
    }
}
