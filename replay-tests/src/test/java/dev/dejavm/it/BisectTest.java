package dev.dejavm.it;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dejavm bisect} on real journals: what it reports is checked against the journal itself, read here record
 * by record (the output text, the resets), and against what the instruction stream must show (the instruction found
 * by {@code rip=} is the one that made the first debugcon write).
 */
class BisectTest {
    @TempDir
    static Path dir;
    static Path seabios;
    static final List<EventRecord> RECORDS = new ArrayList<>();

    @BeforeAll
    static void record() {
        assertTrue(Files.exists(Path.of("/usr/share/seabios/bios-256k.bin")), "Debian's seabios package is needed (./test.sh installs it)");
        seabios = dir.resolve("seabios");
        final Cli.Result r = Cli.run("run", "--firmware", "seabios", "--quiet", "--max-virtual-time", "2s", "--checkpoint-every", "1M",
                "--journal", seabios.toString());
        assertEquals(1, r.status(), r::toString); // the virtual time limit ends it
        try (JournalReader reader = JournalReader.open(seabios)) {
            final EventRecord e = new EventRecord();
            while (reader.next(e)) {
                final EventRecord c = new EventRecord();
                c.copyFrom(e);
                RECORDS.add(c);
            }
        }
    }

    /** The record at which the bytes written to port 0x402 first contain {@code text}. */
    private static EventRecord whereDebugconContains(final String text) {
        final StringBuilder seen = new StringBuilder();
        for (final EventRecord e : RECORDS) {
            if (e.kind() == EventKind.PIO_WRITE && e.address() == 0x402) {
                seen.append((char) (e.value() & 0xFF));
                if (seen.indexOf(text) >= 0) {
                    return e;
                }
            }
        }
        return null;
    }

    @Test
    void outputTextIsFoundAtTheEventThatCompletesIt() {
        final EventRecord expected = whereDebugconContains("Found 1 serial ports");
        assertNotNull(expected);
        final Cli.Result r = Cli.run("bisect", seabios.toString(), "--until", "port=0x402 output contains \"Found 1 serial ports\"");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("#" + expected.seq() + " icount=" + expected.icount()), r::toString);
        assertTrue(r.out().contains(String.format(Locale.ROOT, "instruction %,d (replayed", expected.icount())), r::toString);
        assertTrue(r.out().contains("from checkpoint "), "starts from the checkpoint before the event: " + r);
        // The instruction shown next is the OUT to port 0x402 that wrote the last character.
        assertTrue(r.out().contains(String.format(Locale.ROOT, "rip=%016x", expected.rip())), r::toString);
        assertTrue(r.out().matches("(?s).*code \\(the next instruction first\\):\\s+0*" + Long.toHexString(expected.rip()) + ": .*out dx, al.*"), r::toString);
    }

    @Test
    void ripConditionFindsTheFirstTimeThatInstructionRuns() {
        final EventRecord firstWrite = RECORDS.stream().filter(e -> e.kind() == EventKind.PIO_WRITE && e.address() == 0x402)
                .findFirst().orElseThrow();
        final Cli.Result r = Cli.run("bisect", seabios.toString(), "--until", "rip=0x" + Long.toHexString(firstWrite.rip()));
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains(String.format(Locale.ROOT, "first holds before instruction %,d%n", firstWrite.icount())), r::toString);
    }

    @Test
    void memoryConditionHoldsOnlyAfterTheWriteAndBeforeTheMessage() {
        // SeaBIOS stores COM1's base (0x3f8) in the BIOS data area (0x400) when it finds the port, then reports it.
        final Cli.Result r = Cli.run("bisect", seabios.toString(), "--until", "mem16[0x400]=0x3f8");
        assertEquals(0, r.status(), r::toString);
        final String line = r.out().lines().filter(l -> l.contains("first holds before instruction")).findFirst().orElseThrow();
        final long at = Long.parseLong(line.replaceAll(".*instruction ([0-9,]+).*", "$1").replace(",", ""));
        assertTrue(at > 0 && at < whereDebugconContains("Found 1 serial ports").icount(), r::toString);
        // One instruction earlier the condition did not hold yet: bisect from icount at-1 with an icount bound agrees.
        final Cli.Result before = Cli.run("bisect", seabios.toString(), "--until", "mem16[0x400]=0x3f8 and icount>=" + (at - 1));
        assertEquals(0, before.status(), before::toString);
        assertTrue(before.out().contains(String.format(Locale.ROOT, "before instruction %,d%n", at)), before::toString);
    }

    @Test
    void conditionsThatNeverHoldAndBadConditions() {
        final Cli.Result never = Cli.run("bisect", seabios.toString(), "--until", "triple-fault or kind=reset count>=1");
        assertEquals(1, never.status(), never::toString);
        assertTrue(never.out().contains("never holds"), never::toString);
        for (final String bad : List.of("kind=nonsense", "port=0x402 output contains", "mem99[0]=1", "(triple-fault", "icount=>x")) {
            final Cli.Result r = Cli.run("bisect", seabios.toString(), "--until", bad);
            assertEquals(2, r.status(), () -> bad + ": " + r);
            assertTrue(r.err().startsWith("dejavm: "), r::toString);
        }
    }

    @Test
    void theNthResetAndATripleFault(@TempDir final Path d) throws Exception {
        final Path j = d.resolve("resets");
        assertEquals(0, Cli.run("run", "--exit-action", "reset", "--reboots", "3", "--quiet", "--checkpoint-every", "1M",
                "--journal", j.toString()).status());
        long secondReset = -1;
        int resets = 0;
        try (JournalReader reader = JournalReader.open(j)) {
            final EventRecord e = new EventRecord();
            while (reader.next(e)) {
                if (e.kind() == EventKind.RESET && ++resets == 2) {
                    secondReset = e.seq();
                }
            }
        }
        final Cli.Result r = Cli.run("bisect", j.toString(), "--until", "kind=reset count>=2");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("#" + secondReset + " "), r::toString);

        final Path rom = BundledFirmware.extract("triplefault", d);
        final Path t = d.resolve("tf");
        assertEquals(1, Cli.run("run", "--firmware", rom.toString(), "--quiet", "--journal", t.toString()).status());
        final Cli.Result tf = Cli.run("bisect", t.toString(), "--until", "triple-fault");
        assertEquals(0, tf.status(), tf::toString);
        assertTrue(tf.out().contains("triple-fault"), tf::toString);
        assertTrue(new String(Files.readAllBytes(rom), StandardCharsets.ISO_8859_1).length() > 0);
    }
}
