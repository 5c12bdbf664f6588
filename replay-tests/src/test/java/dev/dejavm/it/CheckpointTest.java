package dev.dejavm.it;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints ({@code run --checkpoint-every}) and replay from them ({@code replay --from-checkpoint}): taking
 * checkpoints changes nothing in the recorded execution, and a replay started from any checkpoint meets every later
 * recorded event exactly, which it can only do if the whole machine state (CPU, devices with their bus mappings,
 * timers, RAM) was restored.
 */
class CheckpointTest {
    /** Every record as "icount kind address value", checkpoint records left out. */
    private static List<String> eventsWithoutCheckpoints(final Path journal) {
        final List<String> out = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            final EventRecord r = new EventRecord();
            while (reader.next(r)) {
                if (r.kind() != EventKind.CHECKPOINT) {
                    out.add(r.icount() + " " + r.cycles() + " " + r.rip() + " " + EventKind.name(r.kind()) + " "
                            + Long.toHexString(r.address()) + " " + Long.toHexString(r.value()));
                }
            }
        }
        return out;
    }

    private static int checkpointRecords(final Path journal) {
        int n = 0;
        try (JournalReader reader = JournalReader.open(journal)) {
            final EventRecord r = new EventRecord();
            while (reader.next(r)) {
                if (r.kind() == EventKind.CHECKPOINT) {
                    n++;
                    assertEquals(n, r.address(), "checkpoints are numbered from 1 in order");
                    assertEquals(0, r.icount() % 2_000_000, "at multiples of the interval");
                }
            }
        }
        return n;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pc", "q35"})
    void seabiosReplaysFromEveryCheckpoint(final String board, @TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(Path.of("/usr/share/seabios/bios-256k.bin")), "Debian's seabios package is needed (./test.sh installs it)");
        final Path plain = dir.resolve("plain");
        final Path with = dir.resolve("with");
        final Cli.Result a = Cli.run("run", "--firmware", "seabios", "--machine", board, "--quiet", "--max-virtual-time", "3s",
                "--journal", plain.toString());
        final Cli.Result b = Cli.run("run", "--firmware", "seabios", "--machine", board, "--quiet", "--max-virtual-time", "3s",
                "--checkpoint-every", "2M", "--journal", with.toString());
        assertEquals(a.status(), b.status(), b::toString);
        assertEquals(eventsWithoutCheckpoints(plain), eventsWithoutCheckpoints(with), "checkpoints must not change the run");
        final int n = checkpointRecords(with);
        assertTrue(n >= 2, "SeaBIOS runs past several 2M-instruction boundaries: " + n);
        assertEquals(n, Files.list(with.resolve("checkpoints")).filter(p -> p.toString().endsWith(".ckpt")).count());
        for (int k = 1; k <= n; k++) {
            final Cli.Result r = Cli.run("replay", with.toString(), "--from-checkpoint", Integer.toString(k));
            assertEquals(0, r.status(), () -> r.toString());
            assertTrue(r.out().contains("replay matched: records "), r::toString);
        }
    }

    /** Checkpoints by virtual time, here while SeaBIOS waits in HLT for its 60-second retry. */
    @Test
    void timedCheckpointsLandOnTheirVirtualTimesAndReplay(@TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(Path.of("/usr/share/seabios/bios-256k.bin")), "Debian's seabios package is needed (./test.sh installs it)");
        final Path plain = dir.resolve("plain");
        final Path with = dir.resolve("with");
        Cli.run("run", "--firmware", "seabios", "--quiet", "--max-virtual-time", "3500ms", "--journal", plain.toString());
        final Cli.Result b = Cli.run("run", "--firmware", "seabios", "--quiet", "--max-virtual-time", "3500ms",
                "--checkpoint-every", "1s", "--journal", with.toString());
        assertEquals(1, b.status(), b::toString); // the time limit ends both
        assertEquals(eventsWithoutCheckpoints(plain), eventsWithoutCheckpoints(with), "checkpoints must not change the run");
        final List<Long> times = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(with)) {
            final EventRecord r = new EventRecord();
            while (reader.next(r)) {
                if (r.kind() == EventKind.CHECKPOINT) {
                    times.add(r.cycles());
                }
            }
        }
        assertEquals(3, times.size(), times::toString);
        for (int k = 1; k <= 3; k++) {
            final long t = times.get(k - 1);
            assertTrue(t >= k * 1_000_000_000L && t < k * 1_000_000_000L + 1_000_000L, "at the first boundary after " + k + " s: " + t);
        }
        for (int k = 1; k <= 3; k++) {
            final Cli.Result r = Cli.run("replay", with.toString(), "--from-checkpoint", Integer.toString(k));
            assertEquals(0, r.status(), r::toString);
        }
        assertEquals(0, Cli.run("replay", with.toString()).status());
    }

    @Test
    void resetsBetweenCheckpointsReplayToo(@TempDir final Path dir) {
        final Path j = dir.resolve("j");
        final Cli.Result run = Cli.run("run", "--exit-action", "reset", "--reboots", "3", "--quiet", "--checkpoint-every", "1M",
                "--journal", j.toString());
        assertEquals(0, run.status(), run::toString);
        assertTrue(Files.exists(j.resolve("checkpoints").resolve("000004.ckpt")), "four boots of 2.2M instructions cross 1M boundaries");
        final Cli.Result r = Cli.run("replay", j.toString(), "--from-checkpoint", "4");
        assertEquals(0, r.status(), r::toString);
    }

    @Test
    void aDamagedOrMissingCheckpointIsBadInput(@TempDir final Path dir) throws Exception {
        final Path j = dir.resolve("j");
        assertEquals(0, Cli.run("run", "--quiet", "--checkpoint-every", "1M", "--journal", j.toString()).status());
        final Path f = j.resolve("checkpoints").resolve("000001.ckpt");
        final byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x40;
        Files.write(f, b);
        final Cli.Result r = Cli.run("replay", j.toString(), "--from-checkpoint", "1");
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.err().contains("checkpoint 1"), r::toString);
        final Cli.Result missing = Cli.run("replay", j.toString(), "--from-checkpoint", "9");
        assertEquals(2, missing.status(), missing::toString);
        assertTrue(missing.err().contains("checkpoint 9 does not exist"), missing::toString);
        final Cli.Result noJournal = Cli.run("run", "--no-journal", "--checkpoint-every", "1M");
        assertEquals(2, noJournal.status(), noJournal::toString);
        final Cli.Result badCount = Cli.run("run", "--no-journal", "--checkpoint-every", "lots");
        assertEquals(2, badCount.status(), badCount::toString);
    }
}
