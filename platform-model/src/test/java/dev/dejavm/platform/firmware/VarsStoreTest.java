package dev.dejavm.platform.firmware;

import dev.dejavm.platform.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The --vars file: created from Debian's template, validated as a firmware volume, written through, never damaged by a refusal. */
class VarsStoreTest {
    private static final Path TEMPLATE = Path.of(VarsStore.DEBIAN_TEMPLATE_4M);

    @Test
    void shouldCreateTheFileFromTheTemplateAndWriteChangesThrough(@TempDir final Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(TEMPLATE), "Debian's ovmf package provides the template (./test.sh installs it)");
        final Path file = dir.resolve("vars.fd");
        try (VarsStore s = VarsStore.open(file, TEMPLATE)) {
            assertArrayEquals(Files.readAllBytes(TEMPLATE), Files.readAllBytes(file));
            final MemorySegment seg = Arena.ofAuto().allocate(s.initial().length);
            seg.set(ValueLayout.JAVA_BYTE, 0x4000, (byte) 0x42);
            s.written(seg, 0x4000, 1);
        }
        assertEquals(0x42, Files.readAllBytes(file)[0x4000]);
    }

    @Test
    void shouldRefuseAWrongSizeOrCorruptFileAndLeaveItUntouched(@TempDir final Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(TEMPLATE), "Debian's ovmf package provides the template (./test.sh installs it)");
        final byte[] good = Files.readAllBytes(TEMPLATE);
        final Path shortFile = dir.resolve("short.fd");
        Files.write(shortFile, java.util.Arrays.copyOf(good, good.length - 4096));
        final BadInputException e1 = assertThrows(BadInputException.class, () -> VarsStore.open(shortFile, TEMPLATE));
        assertTrue(e1.getMessage().contains("but the template has"), e1.getMessage());
        final byte[] corrupt = good.clone();
        corrupt[0x30 + 4] ^= 1; // inside the header: its checksum no longer holds
        final Path bad = dir.resolve("bad.fd");
        Files.write(bad, corrupt);
        final BadInputException e2 = assertThrows(BadInputException.class, () -> VarsStore.open(bad, TEMPLATE));
        assertTrue(e2.getMessage().contains("corrupt"), e2.getMessage());
        assertArrayEquals(corrupt, Files.readAllBytes(bad));
        final Path garbage = dir.resolve("garbage.fd");
        Files.write(garbage, new byte[good.length]);
        assertThrows(BadInputException.class, () -> VarsStore.open(garbage, TEMPLATE));
        assertThrows(BadInputException.class, () -> VarsStore.open(dir.resolve("missing.fd"), null));
    }
}
