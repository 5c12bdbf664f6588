package dev.dejavm.it;

import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A recording process killed with SIGKILL leaves a journal whose complete records all read back. */
class CrashSafetyTest {
    @Test
    void shouldKeepCompleteRecordsWhenRecorderIsKilled(@TempDir final Path dir) throws Exception {
        final Path rom = BundledFirmware.extract("hang", dir);
        final Path journal = dir.resolve("j");
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-D") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.dejavm.cli.Main", "run", "--quiet",
                "--firmware", rom.toString(), "--journal", journal.toString()));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            // Wait until the guest has printed its banner and reached its endless loop (POST 0x02 journaled).
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean looping = false;
            while (!looping && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(200);
                looping = Files.isDirectory(journal) && sawPost2(journal);
            }
            assertTrue(looping, "the recorder did not reach the loop: " + Files.readString(dir.resolve("out.txt")));
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no end record
            p.waitFor(20, TimeUnit.SECONDS);
        }
        assertFalse(p.isAlive());

        final long records;
        try (JournalReader r = JournalReader.open(journal)) {
            final EventRecord e = new EventRecord();
            long n = 0;
            while (r.next(e)) {
                assertEquals(n, e.seq());
                n++;
            }
            assertFalse(r.complete());
            records = n;
        }
        assertTrue(records > 50, "records: " + records);
        final Cli.Result inspect = Cli.run("inspect", journal.toString());
        assertEquals(2, inspect.status(), inspect::toString);
        assertTrue(inspect.err().contains("cut off after " + records + " records"), inspect::toString);
        assertEquals(records, inspect.out().lines().filter(l -> l.matches("#\\d+ .*")).count());
        assertEquals(2, Cli.run("replay", journal.toString()).status());
    }

    /**
     * A killed recording with checkpoints: the recorded part replays, from power-on and from the last checkpoint whose
     * record made it into the journal, every record compared.
     */
    @Test
    void shouldReplayTheRecordedPartAndFromItsCheckpointsWhenRecorderIsKilled(@TempDir final Path dir) throws Exception {
        final Path rom = BundledFirmware.extract("hang", dir);
        final Path journal = dir.resolve("j");
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-D") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.dejavm.cli.Main", "run", "--quiet",
                "--firmware", rom.toString(), "--journal", journal.toString(), "--checkpoint-every", "2M"));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive() && !Files.exists(journal.resolve("checkpoints").resolve("000004.ckpt"))) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(journal.resolve("checkpoints").resolve("000004.ckpt")), "no fourth checkpoint: "
                    + Files.readString(dir.resolve("out.txt")));
        } finally {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        long records = 0;
        int lastCheckpoint = 0;
        try (JournalReader r = JournalReader.open(journal)) {
            final EventRecord e = new EventRecord();
            while (r.next(e)) {
                records++;
                if (e.kind() == dev.dejavm.core.event.EventKind.CHECKPOINT) {
                    lastCheckpoint = (int) e.address();
                }
            }
            assertFalse(r.complete());
        }
        assertTrue(lastCheckpoint >= 3, "checkpoint records: " + lastCheckpoint);
        final Cli.Result whole = Cli.run("replay", journal.toString());
        assertEquals(2, whole.status(), whole::toString);
        assertTrue(whole.err().contains("--until " + (records - 1)), whole::toString);
        final Cli.Result part = Cli.run("replay", journal.toString(), "--until", Long.toString(records - 1));
        assertEquals(0, part.status(), part::toString);
        assertTrue(part.out().contains("replay matched"), part::toString);
        final Cli.Result fromLast = Cli.run("replay", journal.toString(), "--until", Long.toString(records - 1),
                "--from-checkpoint", Integer.toString(lastCheckpoint));
        assertEquals(0, fromLast.status(), fromLast::toString);
    }

    private static boolean sawPost2(final Path journal) {
        try (JournalReader r = JournalReader.open(journal)) {
            final EventRecord e = new EventRecord();
            while (r.next(e)) {
                if (e.kind() == 2 && e.address() == 0x80 && e.value() == 2) {
                    return true;
                }
            }
            return false;
        } catch (final RuntimeException e) {
            return false; // header not written yet
        }
    }
}
