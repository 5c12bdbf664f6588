package dev.dejavm.it;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SeaBIOS rebooting on its own, on both boards: after "No bootable device." it waits 60 virtual seconds and resets
 * through 0xCF9 (REFERENCE-RUNS 3.1); and the same configuration always gives the same journal.
 */
class SeabiosRebootTest {
    private static final Path ROM = Path.of("/usr/share/seabios/bios-256k.bin");

    /**
     * Five boots. Every device write of every boot after the first reset (port, size and value, in order) is the
     * same. Reads are not compared one by one: the ACPI PM timer keeps counting through a warm reset (as on QEMU
     * and hardware), so each boot starts at another timer phase, and SeaBIOS's cooperative threads (the AHCI port
     * probes wait on that timer) interleave their polling reads a little differently.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pc", "q35"})
    void shouldRebootFiveTimesWithTheSameDeviceWritesInEveryBootAfterTheFirstReset(final String board, @TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(ROM), "Debian's seabios package is needed (./test.sh installs it)");
        final Path journal = dir.resolve("j");
        final Cli.Result r = Cli.run("run", "--firmware", "seabios", "--machine", board, "--reboots", "4", "--max-virtual-time", "400s",
                "--journal", journal.toString(), "--debugcon", dir.resolve("dc.txt").toString(), "--serial", dir.resolve("com1.txt").toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        reset (5 guest resets in this run)"), r::toString);
        final String dc = Files.readString(dir.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        assertEquals(5, dc.split("No bootable device.  Retrying in 60 seconds.", -1).length - 1, dc);
        final Cli.Result csv = Cli.run("inspect", journal.toString(), "--format", "csv");
        assertEquals(0, csv.status(), csv::toString);
        final List<List<String>> writes = new ArrayList<>();
        writes.add(new ArrayList<>());
        for (final String line : csv.out().lines().skip(1).toList()) {
            final String[] f = line.split(",");
            if (f[5].equals("reset")) {
                writes.add(new ArrayList<>());
            } else if (f[5].endsWith("-write")) {
                writes.getLast().add(f[5] + " " + f[6] + "/" + f[7] + "=" + f[8]);
            }
        }
        assertEquals(6, writes.size(), "five resets");
        assertTrue(writes.get(1).size() > 1000, "a boot writes to many devices");
        for (int boot = 2; boot <= 4; boot++) {
            assertEquals(writes.get(1), writes.get(boot), "boot " + (boot + 1) + " against boot 2");
        }
    }

    /** Ten runs of the same configuration: byte-identical event records (the summary's digest covers them all). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pc", "q35"})
    void shouldWriteTheSameJournalInTenRuns(final String board, @TempDir final Path dir) {
        assertTrue(Files.exists(ROM), "Debian's seabios package is needed (./test.sh installs it)");
        final Set<String> digests = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            final Cli.Result r = Cli.run("run", "--quiet", "--firmware", "seabios", "--machine", board, "--max-virtual-time", "1s",
                    "--journal", dir.resolve("run" + i).toString());
            final Matcher m = Pattern.compile("events digest  sha256:([0-9a-f]{64})").matcher(r.out());
            assertTrue(m.find(), r::toString);
            digests.add(m.group(1));
        }
        assertEquals(1, digests.size(), digests::toString);
    }
}
