package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dejavm disasm} end to end: real firmware, output format, bad input. */
class DisasmCommandTest {
    static final Path SEABIOS = Path.of("/usr/share/seabios/bios-256k.bin");

    @Test
    void shouldDisassembleTheSeabiosResetVector() {
        assertTrue(Files.exists(SEABIOS), "Debian's seabios package is needed (./test.sh installs it)");
        // The 256 KiB image ends at 4 GiB and, aliased, at 1 MiB: its last 64 KiB are the F segment, and the reset
        // vector at F000:FFF0 is a far jump to the POST entry point F000:E05B, the PC BIOS convention.
        final Cli.Result r = Cli.run("disasm", "--mode", "16", "--org", "0xc0000", "--offset", "0x3fff0", "--length", "5",
            SEABIOS.toString());
        assertEquals(0, r.status(), r.toString());
        assertEquals("000ffff0: ea 5b e0 00 f0                 jmp 0xf000:0xe05b\n", r.out().replace("\r", ""));
    }

    @Test
    void shouldPrintBadBytesAndResumeAtTheNextByte(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("code.bin");
        // 06 is PUSH ES outside 64-bit mode and invalid in it; 90 is NOP; B8 01 is a truncated MOV EAX, imm32.
        Files.write(f, new byte[] {0x06, (byte) 0x90, (byte) 0xB8, 0x01});
        final Cli.Result r = Cli.run("disasm", "--mode", "64", "--org", "0x1000", f.toString());
        assertEquals(0, r.status(), r.toString());
        final String[] lines = r.out().replace("\r", "").split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].startsWith("00001000: 06 ") && lines[0].endsWith("  (bad)"), lines[0]);
        assertTrue(lines[1].startsWith("00001001: 90 ") && lines[1].endsWith("  nop"), lines[1]);
        assertTrue(lines[2].startsWith("00001002: b8 01 ") && lines[2].endsWith("  (truncated)"), lines[2]);
    }

    @Test
    void shouldRejectMissingAndEmptyFilesAndBadOptions(@TempDir final Path dir) throws Exception {
        final Cli.Result missing = Cli.run("disasm", dir.resolve("nope.bin").toString());
        assertEquals(2, missing.status(), missing.toString());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("no such file"), missing.err());

        final Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        final Cli.Result e = Cli.run("disasm", empty.toString());
        assertEquals(2, e.status(), e.toString());
        assertEquals(1, e.err().strip().lines().count(), e.err());

        final Cli.Result mode = Cli.run("disasm", "--mode", "8", empty.toString());
        assertEquals(2, mode.status(), mode.toString());
        final Cli.Result org = Cli.run("disasm", "--org", "zz", empty.toString());
        assertEquals(2, org.status(), org.toString());
    }
}
