package dev.dejavm.it;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal recorded by an earlier build (format 1, the bundled firmware on {@code pc}, 2026-11-25), checked in under
 * {@code src/test/resources/journal-format-1}: this version must still read it completely. What it holds is checked
 * against facts that do not come from the reader: the firmware's banner text and the CRC-32 its long-mode part
 * prints, computed here from the firmware's specification.
 */
class OldJournalTest {
    private static Path copy(final Path dir) throws Exception {
        final Path j = dir.resolve("journal-format-1");
        Files.createDirectories(j);
        for (final String f : new String[] {"19700101H.cq4", "metadata.cq4t"}) {
            try (InputStream in = OldJournalTest.class.getResourceAsStream("/journal-format-1/" + f)) {
                assertNotNull(in, f + " missing from the test resources");
                Files.copy(in, j.resolve(f));
            }
        }
        return j;
    }

    @Test
    void aFormat1JournalFromAnEarlierBuildReadsCompletely(@TempDir final Path dir) throws Exception {
        final Path j = copy(dir);
        final StringBuilder debugcon = new StringBuilder();
        long events = 0;
        int lastKind = -1;
        try (JournalReader reader = JournalReader.open(j)) {
            assertEquals("pc", reader.header().config().get("board"));
            assertEquals("builtin", reader.header().config().get("firmware"));
            final EventRecord r = new EventRecord();
            while (reader.next(r)) {
                assertEquals(events, r.seq(), "records numbered without gaps");
                events++;
                lastKind = r.kind();
                if (r.kind() == EventKind.PIO_WRITE && r.address() == 0x402) {
                    debugcon.append((char) (r.value() & 0xFF));
                }
            }
            reader.requireComplete();
        }
        assertEquals(EventKind.POWER_OFF, lastKind, "the bundled firmware powers off");
        assertTrue(debugcon.toString().startsWith("dejavm builtin firmware 1.0\n"), debugcon::toString);
        assertTrue(debugcon.toString().contains(String.format(Locale.ROOT, "long64: crc32 0x%08x\n", BundledFirmware.expectedCrc32())),
                debugcon::toString);
        final Cli.Result inspect = Cli.run("inspect", j.toString(), "--kind", "power-off");
        assertEquals(0, inspect.status(), inspect::toString);
        assertTrue(inspect.out().contains(String.format(Locale.ROOT, "# %d events", events)), inspect::toString);
    }
}
