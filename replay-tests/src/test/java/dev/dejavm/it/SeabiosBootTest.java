package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's unmodified SeaBIOS (the image QEMU 7.2 loads for pc) on dejavm's pc board: it must reach its
 * "No bootable device." message (what it prints under QEMU too, REFERENCE-RUNS 3.1), deterministically. Full
 * console equality with QEMU needs the rest of the chipset (PIIX3, PIC, PIT, ...).
 */
class SeabiosBootTest {
    private static String digest(final Cli.Result r) {
        final Matcher m = Pattern.compile("events digest  sha256:([0-9a-f]{64})").matcher(r.out());
        assertTrue(m.find(), r::toString);
        return m.group(1);
    }

    @Test
    void shouldReachNoBootableDeviceDeterministicallyWhenBootingDebianSeabios(@TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(Path.of("/usr/share/seabios/bios-256k.bin")), "Debian's seabios package is needed (./test.sh installs it)");
        final Cli.Result a = Cli.run("run", "--firmware", "seabios", "--max-icount", "40000000", "--journal", dir.resolve("a").toString(),
                "--debugcon", dir.resolve("dc.txt").toString(), "--serial", dir.resolve("com1.txt").toString());
        final String dc = Files.readString(dir.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        assertTrue(dc.startsWith("SeaBIOS (version 1.16.2"), dc);
        assertTrue(dc.contains("Found QEMU fw_cfg"), dc);
        assertTrue(dc.contains("PCI: init bdf=00:00.0 id=8086:1237"), dc);
        assertTrue(dc.contains("No bootable device."), dc);
        // Without a timer interrupt source SeaBIOS's wait ends in HLT that nothing can wake.
        assertEquals(1, a.status(), a::toString);
        assertTrue(a.out().contains("outcome        halted with nothing left to wake the CPU"), a::toString);
        final Cli.Result b = Cli.run("run", "--quiet", "--firmware", "seabios", "--max-icount", "40000000", "--journal", dir.resolve("b").toString());
        assertEquals(digest(a), digest(b));
        assertEquals(0, Cli.run("replay", dir.resolve("a").toString()).status());
    }
}
