package dev.dejavm.it;

import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input: a one-line error on stderr, exit status 2, nothing left behind, never a stack trace. */
class BadInputTest {
    private static void assertBadInput(final Cli.Result r, final String fragment) {
        assertEquals(2, r.status(), r::toString);
        final String err = r.err().strip();
        assertEquals(1, err.lines().filter(l -> l.startsWith("dejavm: ")).count(), r::toString);
        assertTrue(err.contains(fragment), r::toString);
        assertFalse(err.contains("Exception") || err.contains("\tat "), r::toString);
    }

    private static void assertRunRejected(final Path dir, final Path firmware, final String fragment) {
        final Path journal = dir.resolve("journal");
        final Cli.Result r = Cli.run("run", "--firmware", firmware.toString(), "--journal", journal.toString());
        assertBadInput(r, fragment);
        assertFalse(Files.exists(journal), "a journal was left behind");
        assertEquals("", r.out(), "nothing should run");
    }

    @Test
    void shouldRejectMissingFirmware(@TempDir final Path dir) {
        assertRunRejected(dir, dir.resolve("nope.bin"), "no such file");
    }

    @Test
    void shouldRejectEmptyFirmware(@TempDir final Path dir) throws Exception {
        final Path f = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertRunRejected(dir, f, "is empty");
    }

    @Test
    void shouldRejectTruncatedFirmware(@TempDir final Path dir) throws Exception {
        final byte[] image = Files.readAllBytes(BundledFirmware.extract("builtin", dir));
        final Path f = Files.write(dir.resolve("cut.bin"), java.util.Arrays.copyOf(image, 65536 - 1000));
        assertRunRejected(dir, f, "not a multiple of 4 KiB");
    }

    @Test
    void shouldRejectFirmwareNotMultipleOf4KiB(@TempDir final Path dir) throws Exception {
        final Path f = Files.write(dir.resolve("odd.bin"), new byte[4096 * 3 + 1]);
        assertRunRejected(dir, f, "not a multiple of 4 KiB");
    }

    @Test
    void shouldRejectOversizedFirmware(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("huge.bin");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(17L << 20); // sparse
        }
        assertRunRejected(dir, f, "more than the 16 MiB");
    }

    @Test
    void shouldRejectDirectoryAsFirmware(@TempDir final Path dir) {
        assertRunRejected(dir, dir, "is a directory");
    }

    @Test
    void shouldRejectAVarsFileOfTheWrongSizeOrCorruptAndLeaveItUntouched(@TempDir final Path dir) throws Exception {
        final Path code = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
        final Path template = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
        assertTrue(Files.exists(code) && Files.exists(template), "Debian's ovmf package is needed (./test.sh installs it)");
        final byte[] good = Files.readAllBytes(template);
        final Path shortVars = dir.resolve("short.fd");
        final byte[] truncated = java.util.Arrays.copyOf(good, 64 * 1024);
        Files.write(shortVars, truncated);
        assertBadInput(Cli.run("run", "--machine", "q35", "--firmware", code.toString(), "--vars", shortVars.toString(), "--no-journal"),
                "but the template has");
        assertTrue(java.util.Arrays.equals(truncated, Files.readAllBytes(shortVars)), "the refused file is untouched");
        final byte[] corrupt = good.clone();
        corrupt[0x28] = 'X'; // the "_FVH" signature
        final Path bad = dir.resolve("bad.fd");
        Files.write(bad, corrupt);
        assertBadInput(Cli.run("run", "--machine", "q35", "--firmware", code.toString(), "--vars", bad.toString(), "--no-journal"),
                "not a UEFI variable store, or corrupt");
        assertTrue(java.util.Arrays.equals(corrupt, Files.readAllBytes(bad)), "the refused file is untouched");
        assertBadInput(Cli.run("run", "--machine", "bare", "--firmware", code.toString(), "--vars", dir.resolve("v.fd").toString(), "--no-journal"),
                "--vars and --flash need a pc or q35 machine");
        assertBadInput(Cli.run("run", "--machine", "q35", "--memory", "3G", "--no-journal"), "too large for q35");
        assertBadInput(Cli.run("run", "--flash", bad.toString(), "--vars", shortVars.toString(), "--no-journal"), "without --firmware and --vars");
        assertBadInput(Cli.run("run", "--flash", bad.toString(), "--no-journal"), "not a UEFI variable store, or corrupt");
        assertTrue(java.util.Arrays.equals(corrupt, Files.readAllBytes(bad)), "the refused image is untouched");
    }

    @Test
    void shouldRejectUnknownBoardAndBadMemorySize(@TempDir final Path dir) {
        assertBadInput(Cli.run("run", "--machine", "vax", "--journal", dir.resolve("a").toString()), "unknown machine 'vax'");
        assertFalse(Files.exists(dir.resolve("a")));
        assertBadInput(Cli.run("run", "--memory", "64G", "--journal", dir.resolve("b").toString()), "out of range");
        assertBadInput(Cli.run("run", "--memory", "lots"), "is not a number");
        assertBadInput(Cli.run("run", "--max-virtual-time", "soon"), "is not a number with a unit");
        assertBadInput(Cli.run("run", "--no-such-option"), "Unknown option");
    }

    @Test
    void shouldRejectNonEmptyJournalDirectory(@TempDir final Path dir) throws Exception {
        Files.writeString(dir.resolve("x.txt"), "keep me");
        assertBadInput(Cli.run("run", "--journal", dir.toString()), "not empty");
        assertEquals("keep me", Files.readString(dir.resolve("x.txt")));
    }

    @Test
    void shouldRejectDirectoriesThatAreNotJournals(@TempDir final Path dir) throws Exception {
        assertBadInput(Cli.run("inspect", dir.resolve("missing").toString()), "no such journal directory");
        assertBadInput(Cli.run("inspect", dir.toString()), "not a dejavm journal");
        Files.write(dir.resolve("19700101H.cq4"), new byte[] {1, 2, 3, 4, 5});
        assertBadInput(Cli.run("inspect", dir.toString()), "dejavm journal");
        assertBadInput(Cli.run("replay", dir.toString()), "dejavm journal");
    }

    /** Zeroes everything after the first {@code keep} event records, as if the writer died there. */
    private static Path cutOff(final Path dir, final long keepRecords) throws Exception {
        final Path j = dir.resolve("j");
        assertEquals(0, Cli.run("run", "--quiet", "--journal", j.toString()).status());
        final byte[] lastKept;
        try (JournalReader reader = JournalReader.open(j)) {
            final EventRecord r = new EventRecord();
            for (long i = 0; i < keepRecords; i++) {
                assertTrue(reader.next(r));
            }
            lastKept = r.bytes().clone();
        }
        final Path cq4;
        try (var s = Files.list(j)) {
            cq4 = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        final byte[] data = Files.readAllBytes(cq4);
        final int at = indexOf(data, lastKept);
        assertTrue(at > 0);
        java.util.Arrays.fill(data, at + lastKept.length, data.length, (byte) 0);
        Files.write(cq4, data);
        return j;
    }

    private static int indexOf(final byte[] data, final byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (data[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void shouldReportCutOffJournalAfterPrintingReadableRecords(@TempDir final Path dir) throws Exception {
        final Path j = cutOff(dir, 300);
        final Cli.Result r = Cli.run("inspect", j.toString());
        assertBadInput(r, "cut off after 300 records");
        assertEquals(300, r.out().lines().filter(l -> l.startsWith("#") && !l.startsWith("# ")).count());
        assertBadInput(Cli.run("replay", j.toString()), "cut off after 300 records");
    }

    @Test
    void shouldReportDamagedRecordByNumber(@TempDir final Path dir) throws Exception {
        final Path j = dir.resolve("j");
        assertEquals(0, Cli.run("run", "--quiet", "--journal", j.toString()).status());
        final byte[] victim;
        try (JournalReader reader = JournalReader.open(j)) {
            final EventRecord r = new EventRecord();
            for (int i = 0; i <= 123; i++) {
                assertTrue(reader.next(r));
            }
            victim = r.bytes().clone();
        }
        final Path cq4;
        try (var s = Files.list(j)) {
            cq4 = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        final byte[] data = Files.readAllBytes(cq4);
        final int at = indexOf(data, victim);
        data[at + EventRecord.VALUE_OFFSET] ^= 0x40; // one bit of the recorded value
        Files.write(cq4, data);
        assertBadInput(Cli.run("inspect", j.toString()), "record 123 is damaged (checksum mismatch)");
        assertBadInput(Cli.run("replay", j.toString()), "record 123 is damaged");
    }
}
