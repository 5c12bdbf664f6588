package dev.dejavm.it;

import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guests that crash, hang, reset, or whose replay diverges. */
class GuestFailureTest {
    private static List<String> kinds(final Path journal) {
        final List<String> out = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            final EventRecord r = new EventRecord();
            while (reader.next(r)) {
                out.add(dev.dejavm.core.event.EventKind.name(r.kind()));
            }
        }
        return out;
    }

    @Test
    void shouldEndWithTripleFaultWhenGuestFaultsWithEmptyIdt(@TempDir final Path dir) throws Exception {
        final Path rom = BundledFirmware.extract("triplefault", dir);
        final Cli.Result r = Cli.run("run", "--firmware", rom.toString(), "--journal", dir.resolve("j").toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        triple fault"), r::toString);
        final List<String> k = kinds(dir.resolve("j"));
        assertEquals("triple-fault", k.get(k.size() - 1));
        // UD2 → #UD (6) cannot be delivered → #GP → #DF → shutdown (SDM Vol. 3A, Table 6-5); the dump names the last one.
        assertTrue(r.out().contains("last exception: vector 13 (#GP)"), r::toString);
    }

    @Test
    void shouldStopAtInstructionLimitWhenGuestLoopsForever(@TempDir final Path dir) throws Exception {
        final Path rom = BundledFirmware.extract("hang", dir);
        final Cli.Result r = Cli.run("run", "--quiet", "--firmware", rom.toString(), "--max-icount", "100000",
                "--journal", dir.resolve("j").toString());
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        instruction limit reached"), r::toString);
        assertTrue(r.out().contains("instructions   100,000"), r::toString);
        final List<String> k = kinds(dir.resolve("j"));
        assertEquals("insn-limit", k.get(k.size() - 1));
    }

    @Test
    void shouldStopAtVirtualTimeLimitWhenGuestLoopsForever(@TempDir final Path dir) throws Exception {
        final Path rom = BundledFirmware.extract("hang", dir);
        final Cli.Result r = Cli.run("run", "--quiet", "--firmware", rom.toString(), "--max-virtual-time", "2ms", "--no-journal");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        virtual time limit reached"), r::toString);
        assertTrue(r.out().contains("virtual time   2.000000 ms"), r::toString);
    }

    @Test
    void shouldResetThroughCf9AndRebootWhenExitActionIsReset(@TempDir final Path dir) throws Exception {
        final Cli.Result r = Cli.run("run", "--exit-action", "reset", "--reboots", "2", "--journal", dir.resolve("j").toString(),
                "--debugcon", dir.resolve("dc.txt").toString(), "--serial", dir.resolve("com1.txt").toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        reset"), r::toString);
        final String dc = Files.readString(dir.resolve("dc.txt"));
        assertEquals(3, dc.split("dejavm builtin firmware 1.0", -1).length - 1, dc);
        assertEquals(3, dc.split("exit: reset\n", -1).length - 1, dc);
        // Each boot after a reset performs the same device accesses with the same values.
        final List<List<String>> boots = new ArrayList<>();
        boots.add(new ArrayList<>());
        try (JournalReader reader = JournalReader.open(dir.resolve("j"))) {
            final EventRecord e = new EventRecord();
            while (reader.next(e)) {
                if (e.kind() == dev.dejavm.core.event.EventKind.RESET) {
                    assertEquals(dev.dejavm.core.event.ResetCause.PORT_CF9, e.address());
                    boots.add(new ArrayList<>());
                } else {
                    boots.get(boots.size() - 1).add(e.kind() + ":" + Long.toHexString(e.address()) + ":" + e.size() + ":" + Long.toHexString(e.value()));
                }
            }
        }
        assertEquals(4, boots.size()); // three boots, then the empty tail after the final reset
        assertEquals(boots.get(1), boots.get(2));
        assertTrue(boots.get(0).get(boots.get(0).size() - 1).startsWith("2:cf9:1:6"), boots.get(0).toString());
    }

    @Test
    void shouldReportFirstDivergenceWhenReplayedFirmwareDiffers(@TempDir final Path dir) throws Exception {
        final Path rom = BundledFirmware.extract("builtin", dir);
        final Cli.Result rec = Cli.run("run", "--quiet", "--firmware", rom.toString(), "--journal", dir.resolve("j").toString());
        assertEquals(0, rec.status(), rec::toString);
        // Patch the banner's first letter: the first debugcon write becomes 'D' instead of 'd'.
        final byte[] image = Files.readAllBytes(rom);
        final byte[] banner = "dejavm builtin firmware".getBytes();
        int at = -1;
        for (int i = 0; i + banner.length <= image.length && at < 0; i++) {
            if (java.util.Arrays.equals(image, i, i + banner.length, banner, 0, banner.length)) {
                at = i;
            }
        }
        assertTrue(at >= 0);
        image[at] = 'D';
        final Path patched = dir.resolve("patched.bin");
        Files.write(patched, image);
        final Cli.Result r = Cli.run("replay", dir.resolve("j").toString(), "--firmware", patched.toString());
        assertEquals(1, r.status(), r::toString);
        final String firstDebugcon = Cli.run("inspect", dir.resolve("j").toString(), "--kind", "pio-write", "--port", "0x402",
                "--to", "100000").out().lines().filter(l -> l.matches("#\\d+ .*")).findFirst().orElseThrow();
        final long seq = Long.parseLong(firstDebugcon.substring(1, firstDebugcon.indexOf(' ')));
        assertTrue(r.out().contains("replay diverged at record " + seq), r::toString);
        assertTrue(r.out().contains("recorded: " + firstDebugcon), r::toString);
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("replayed: ") && l.contains("port=0x402") && l.contains("'D'")), r::toString);
        // The code that made the diverging access, disassembled from the replayed machine: an OUT to the debug port.
        final java.util.List<String> lines = r.out().lines().toList();
        final int code = lines.indexOf(lines.stream().filter(l -> l.startsWith("code at the replayed event's rip")).findFirst().orElseThrow());
        assertTrue(lines.get(code + 1).matches("  [0-9a-f]+: .*\\bout\\b.*"), r::toString);
        // Replaying a window: the records before the divergence match, a window that includes it does not.
        final Cli.Result before = Cli.run("replay", dir.resolve("j").toString(), "--firmware", patched.toString(),
                "--until", Long.toString(seq - 1));
        assertEquals(0, before.status(), before::toString);
        assertTrue(before.out().contains("records 0.." + (seq - 1) + " identical"), before::toString);
        final Cli.Result including = Cli.run("replay", dir.resolve("j").toString(), "--firmware", patched.toString(),
                "--until", Long.toString(seq));
        assertEquals(1, including.status(), including::toString);
    }

    @Test
    void shouldRefuseReplayWhenFirmwareFileChanged(@TempDir final Path dir) throws Exception {
        final Path rom = BundledFirmware.extract("builtin", dir);
        Cli.run("run", "--quiet", "--firmware", rom.toString(), "--journal", dir.resolve("j").toString());
        final byte[] image = Files.readAllBytes(rom);
        image[0] ^= 1;
        Files.write(rom, image);
        final Cli.Result r = Cli.run("replay", dir.resolve("j").toString());
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("but the journal was recorded with"), r::toString);
    }
}
