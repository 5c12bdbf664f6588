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
    void shouldRebootThroughCf9AfterNoBootableDeviceDeterministically(@TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(Path.of("/usr/share/seabios/bios-256k.bin")), "Debian's seabios package is needed (./test.sh installs it)");
        final Cli.Result a = Cli.run("run", "--firmware", "seabios", "--reboots", "1", "--max-virtual-time", "200s",
                "--journal", dir.resolve("a").toString(), "--debugcon", dir.resolve("dc.txt").toString(),
                "--serial", dir.resolve("com1.txt").toString());
        final String dc = Files.readString(dir.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        assertTrue(dc.startsWith("SeaBIOS (version 1.16.2"), dc);
        assertTrue(dc.contains("Running on QEMU (i440fx)"), dc);
        assertTrue(dc.contains("Found QEMU fw_cfg"), dc);
        assertTrue(dc.contains("PCI: init bdf=00:00.0 id=8086:1237"), dc);
        // With QEMU's default boot-fail-wait SeaBIOS waits 60 s and then reboots (REFERENCE-RUNS 3.1): two boots.
        assertEquals(2, dc.split("No bootable device.  Retrying in 60 seconds.", -1).length - 1, dc);
        assertEquals(0, a.status(), a::toString);
        assertTrue(a.out().contains("outcome        reset"), a::toString);
        // The hard reset is 0x02 then 0x06 to the reset control register, as under QEMU.
        final Cli.Result cf9 = Cli.run("inspect", dir.resolve("a").toString(), "--kind", "pio-write", "--port", "0xcf9", "--format", "csv");
        assertEquals(java.util.List.of("0x2", "0x6", "0x2", "0x6"), cf9.out().lines().skip(1).map(l -> l.split(",")[8]).toList());
        final Cli.Result b = Cli.run("run", "--quiet", "--firmware", "seabios", "--reboots", "1", "--max-virtual-time", "200s",
                "--journal", dir.resolve("b").toString());
        assertEquals(digest(a), digest(b));
        assertEquals(0, Cli.run("replay", dir.resolve("a").toString()).status());
    }

    /** The lines between two markers (inclusive), or "" when either is missing. */
    static String block(final String log, final String from, final String toPrefix) {
        final int a = log.indexOf(from);
        final int b = a < 0 ? -1 : log.indexOf(toPrefix, a);
        return a < 0 || b < 0 ? "" : log.substring(a, log.indexOf('\n', b) + 1);
    }

    /**
     * Against QEMU 7.2 running the same SeaBIOS on {@code pc}: PCI enumeration and resource allocation over the
     * i440FX and the PIIX3/PIIX4 functions (4 devices, the IDE bus-master BAR at 0xc000, per-function init), the
     * two legacy ATA channels, the CPU count found through the local APIC and the PS/2 keyboard print the same lines.
     */
    @Test
    void shouldEnumeratePciAndAtaAsUnderQemu(@TempDir final Path dir) throws Exception {
        final Path rom = Path.of("/usr/share/seabios/bios-256k.bin");
        assertTrue(Files.exists(rom), "Debian's seabios package is needed (./test.sh installs it)");
        assertTrue(Qemu.available(), "qemu-system-x86 is needed (./test.sh installs it)");
        final String marker = "No bootable device.";
        final String qemu = Qemu.run(rom, dir, marker, java.util.List.of()).debugcon();
        assertTrue(qemu.contains(marker), "QEMU did not reach '" + marker + "':\n" + qemu);
        final Cli.Result r = Cli.run("run", "--firmware", "seabios", "--max-virtual-time", "2s", "--no-journal",
                "--debugcon", dir.resolve("dc.txt").toString(), "--serial", dir.resolve("com1.txt").toString());
        final String ours = Files.readString(dir.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        final String pciQemu = block(qemu, "=== PCI device probing ===", "PCI: init bdf=00:01.3");
        assertTrue(pciQemu.contains("Found 4 PCI devices"), qemu);
        assertEquals(pciQemu, block(ours, "=== PCI device probing ===", "PCI: init bdf=00:01.3"), ours);
        for (final String ata : new String[] {"ATA controller 1 at 1f0/3f4/0 (irq 14 dev 9)", "ATA controller 2 at 170/374/0 (irq 15 dev 9)",
                "Found 1 cpu(s) max supported 1 cpu(s)", "PS2 keyboard initialized"}) {
            assertTrue(qemu.contains(ata), qemu);
            assertTrue(ours.contains(ata), ours);
        }
    }
}
