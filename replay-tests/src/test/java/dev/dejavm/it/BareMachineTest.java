package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --machine bare}: a 64 KiB test ROM (hand-assembled from the SDM encodings) at the top of 4 GiB and at
 * 0xF0000; POST and console ports; unassigned ports read all-ones; HLT with interrupts off or a triple fault ends
 * the run.
 */
class BareMachineTest {
    /** A 64 KiB ROM: {@code code} at its start (F000:0000), a far jump there at the reset vector F000:FFF0. */
    static byte[] rom(final int... code) {
        final byte[] rom = new byte[64 * 1024];
        for (int i = 0; i < code.length; i++) {
            rom[i] = (byte) code[i];
        }
        final int[] reset = {0xEA, 0x00, 0x00, 0x00, 0xF0}; // jmp far F000:0000
        for (int i = 0; i < reset.length; i++) {
            rom[rom.length - 16 + i] = (byte) reset[i];
        }
        return rom;
    }

    @Test
    void shouldShowPostCodesAndConsoleTextAndEndAtHlt(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("test.rom");
        Files.write(f, rom(
            0xB0, 0x01, 0xE6, 0x80,             // mov al, 1; out 0x80, al
            0xB0, 'o', 0xE6, 0xE9,              // mov al, 'o'; out 0xe9, al
            0xB0, 'k', 0xE6, 0xE9,
            0xB0, '\n', 0xE6, 0xE9,
            0xE4, 0x60, 0xE6, 0x80,             // in al, 0x60 (unassigned: 0xff); out 0x80, al
            0xB0, 0x02, 0xE6, 0x80,
            0xFA, 0xF4));                       // cli; hlt
        final Path journal = dir.resolve("journal");
        final Cli.Result r = Cli.run("run", "--machine", "bare", "--firmware", f.toString(), "--memory", "2M",
            "--journal", journal.toString());
        assertEquals(0, r.status(), r.toString());
        final String out = r.out().replace("\r", "");
        assertTrue(out.startsWith("post| 0x01\ndebugcon| ok\npost| 0xff\npost| 0x02\n"), out);
        assertTrue(out.contains("halt"), out);
        // Every port access is journaled, the unassigned read included.
        final Cli.Result events = Cli.run("inspect", journal.toString(), "--port", "0x60", "--format", "csv");
        assertEquals(0, events.status(), events.toString());
        assertTrue(events.out().contains("0x60") || events.out().contains(",96,"), events.out());
    }

    /** RDRAND draws from a seeded generator: every value is journaled, the same run gives the same values, replay agrees. */
    @Test
    void shouldJournalRdrandValuesAndRepeatThemOnEveryRun(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("rand.rom");
        Files.write(f, rom(
            0x0F, 0xC7, 0xF0, 0xE6, 0x80,       // rdrand ax; out 0x80, al
            0x0F, 0xC7, 0xF8, 0xE6, 0x80,       // rdseed ax; out 0x80, al
            0x9C, 0x58, 0xE6, 0x80,             // pushf; pop ax; out 0x80, al (CF = 1: the value is valid)
            0xFA, 0xF4));
        final Cli.Result a = Cli.run("run", "--machine", "bare", "--firmware", f.toString(), "--memory", "2M",
            "--journal", dir.resolve("a").toString());
        final Cli.Result b = Cli.run("run", "--machine", "bare", "--firmware", f.toString(), "--memory", "2M",
            "--journal", dir.resolve("b").toString());
        assertEquals(0, a.status(), a.toString());
        final java.util.List<String> posts = a.out().lines().filter(l -> l.startsWith("post|")).toList();
        assertEquals(3, posts.size(), a.out());
        assertEquals(posts, b.out().lines().filter(l -> l.startsWith("post|")).toList(), "the same values on every run");
        assertEquals(1, Integer.decode(posts.get(2).substring(6).trim()) & 1, "CF set after RDSEED");
        final Cli.Result events = Cli.run("inspect", dir.resolve("a").toString(), "--kind", "random", "--format", "csv");
        assertEquals(3, events.out().lines().count(), events.out()); // header + RDRAND + RDSEED
        assertEquals(0, Cli.run("replay", dir.resolve("a").toString(), "--verify").status());
    }

    @Test
    void shouldEndTheRunOnATripleFault(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("tf.rom");
        Files.write(f, rom(
            0x0F, 0x01, 0x1E, 0x00, 0x05,       // lidt [0x500]: RAM is zero, so the IDT limit becomes 0
            0xCC));                             // int3: #GP (vector beyond the limit), #DF, then shutdown
        final Cli.Result r = Cli.run("run", "--machine", "bare", "--firmware", f.toString(), "--memory", "2M", "--no-journal");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.out().toLowerCase(java.util.Locale.ROOT).contains("triple fault"), r.out());
    }

    @Test
    void shouldRejectBadPorts(@TempDir final Path dir) throws Exception {
        final Path f = dir.resolve("x.rom");
        Files.write(f, rom(0xFA, 0xF4));
        final Cli.Result r = Cli.run("run", "--machine", "bare", "--firmware", f.toString(), "--post-port", "0x10000", "--no-journal");
        assertEquals(2, r.status(), r.toString());
        final Cli.Result same = Cli.run("run", "--machine", "bare", "--firmware", f.toString(), "--post-port", "0xe9", "--no-journal");
        assertEquals(2, same.status(), same.toString());
        final Cli.Result board = Cli.run("run", "--machine", "q99", "--firmware", f.toString(), "--no-journal");
        assertEquals(2, board.status(), board.toString());
    }
}
