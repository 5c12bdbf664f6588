package dev.dejavm.it;

import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Same configuration + same firmware ⇒ identical journal records; one changed value ⇒ a first difference where the guest reads it. */
class DeterminismTest {
    private static String digest(final Cli.Result r) {
        final Matcher m = Pattern.compile("events digest  sha256:([0-9a-f]{64})").matcher(r.out());
        assertTrue(m.find(), r::toString);
        return m.group(1);
    }

    private static List<byte[]> records(final Path journal) {
        final List<byte[]> out = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            final EventRecord r = new EventRecord();
            while (reader.next(r)) {
                out.add(r.bytes().clone());
            }
            reader.requireComplete();
        }
        return out;
    }

    @Test
    void shouldWriteIdenticalRecordsAndDigestWhenRunTwiceWithSameConfig(@TempDir final Path dir) {
        final Cli.Result a = Cli.run("run", "--quiet", "--journal", dir.resolve("a").toString());
        final Cli.Result b = Cli.run("run", "--quiet", "--journal", dir.resolve("b").toString());
        assertEquals(0, a.status(), a::toString);
        assertEquals(0, b.status(), b::toString);
        assertEquals(digest(a), digest(b));
        final List<byte[]> ra = records(dir.resolve("a"));
        final List<byte[]> rb = records(dir.resolve("b"));
        assertEquals(ra.size(), rb.size());
        for (int i = 0; i < ra.size(); i++) {
            assertTrue(java.util.Arrays.equals(ra.get(i), rb.get(i)), "record " + i + " differs");
        }
    }

    @Test
    void shouldFirstDifferAtRtcYearReadWhenRtcStartChanges(@TempDir final Path dir) {
        Cli.run("run", "--quiet", "--journal", dir.resolve("a").toString(), "--rtc-start", "2024-01-01T00:00:00Z");
        final Cli.Result b = Cli.run("run", "--quiet", "--journal", dir.resolve("b").toString(), "--rtc-start", "2025-06-15T12:34:56Z");
        assertEquals(0, b.status(), b::toString);
        try (JournalReader ra = JournalReader.open(dir.resolve("a")); JournalReader rb = JournalReader.open(dir.resolve("b"))) {
            final EventRecord x = new EventRecord();
            final EventRecord y = new EventRecord();
            EventRecord firstA = null;
            EventRecord firstB = null;
            while (ra.next(x) && rb.next(y)) {
                if (!x.sameEvent(y)) {
                    firstA = x;
                    firstB = y;
                    break;
                }
            }
            assertNotNull(firstA, "the journals do not differ");
            // The firmware reads the century (0x32, BCD 20 in both) and then the year register (0x09): BCD 0x24 vs 0x25.
            assertEquals(1, firstA.kind(), "pio-read");
            assertEquals(0x71, firstA.address());
            assertEquals(0x24, firstA.value());
            assertEquals(0x25, firstB.value());
            assertEquals(firstA.icount(), firstB.icount());
        }
        assertNotEquals(Cli.run("inspect", dir.resolve("a").toString()).out(), Cli.run("inspect", dir.resolve("b").toString()).out());

        // dejavm diff names the same first divergence and the ports whose values differ.
        final Cli.Result diff = Cli.run("diff", dir.resolve("a").toString(), dir.resolve("b").toString());
        assertEquals(1, diff.status(), diff::toString);
        assertTrue(diff.out().contains("rtc-start: 1704067200 | 1749990896"), diff::toString);
        assertTrue(diff.out().lines().anyMatch(l -> l.startsWith("A: ") && l.contains("pio-read port=0x71") && l.contains("value=0x24")), diff::toString);
        assertTrue(diff.out().lines().anyMatch(l -> l.startsWith("B: ") && l.contains("pio-read port=0x71") && l.contains("value=0x25")), diff::toString);
        assertTrue(diff.out().lines().anyMatch(l -> l.trim().startsWith("pio-read") && l.contains("0x71")), diff::toString);
        assertEquals(0, Cli.run("diff", dir.resolve("a").toString(), dir.resolve("a").toString()).status());
    }

    @Test
    void shouldReplayRecordedRunWithoutDivergence(@TempDir final Path dir) {
        final Cli.Result a = Cli.run("run", "--quiet", "--journal", dir.resolve("a").toString());
        final Cli.Result r = Cli.run("replay", dir.resolve("a").toString(), "--verify");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("replay matched: ") && r.out().contains(digest(a)), r::toString);
    }
}
