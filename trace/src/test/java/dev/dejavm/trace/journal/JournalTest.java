package dev.dejavm.trace.journal;

import dev.dejavm.core.event.Engine;
import dev.dejavm.core.event.EventKind;
import dev.dejavm.core.event.ExecutionStamp;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalTest {
    /** A stamp the test moves by hand. */
    static final class Stamp implements ExecutionStamp {
        long icount;
        long cycles;
        long rip;
        int engine = Engine.INTERPRETER;

        @Override
        public long icount() {
            return icount;
        }

        @Override
        public long cycles() {
            return cycles;
        }

        @Override
        public long rip() {
            return rip;
        }

        @Override
        public int engine() {
            return engine;
        }
    }

    private static final JournalHeader HEADER = JournalHeader.create("test", Map.of("board", "pc", "memory", "1"), "ab".repeat(32));

    private static void writeSample(final JournalWriter w, final Stamp s, final int n) {
        for (int i = 0; i < n; i++) {
            s.icount = 10L * i;
            s.cycles = 11L * i;
            s.rip = 0xFFFF0000L + i;
            w.onEvent(1 + (i % 4), i % 7 == 0 ? EventKind.FLAG_UNASSIGNED : 0, 0x400 + i, 1 << (i % 4), 0x1234_5678_9ABCL * i);
        }
    }

    @Test
    void shouldReadBackEveryFieldAndHeaderWhenRoundTripped(@TempDir final Path dir) {
        final Stamp s = new Stamp();
        s.engine = Engine.KVM;
        final String digest;
        try (JournalWriter w = JournalWriter.create(dir.resolve("j"), HEADER, s)) {
            writeSample(w, s, 1000);
            w.onEvent(EventKind.RESET, 0, 1, 0, 0);
            digest = w.digestHex();
        }
        try (JournalReader r = JournalReader.open(dir.resolve("j"))) {
            assertEquals(HEADER, r.header());
            final EventRecord e = new EventRecord();
            for (int i = 0; i < 1000; i++) {
                assertTrue(r.next(e));
                assertEquals(i, e.seq());
                assertEquals(10L * i, e.icount());
                assertEquals(11L * i, e.cycles());
                assertEquals(0xFFFF0000L + i, e.rip());
                assertEquals(1 + (i % 4), e.kind());
                assertEquals(i % 7 == 0 ? 1 : 0, e.flags());
                assertEquals(0x400 + i, e.address());
                assertEquals(1 << (i % 4), e.size());
                assertEquals(0x1234_5678_9ABCL * i, e.value());
                assertEquals(Engine.KVM, e.engine());
            }
            assertTrue(r.next(e));
            assertEquals(EventKind.RESET, e.kind());
            assertFalse(r.next(e));
            assertTrue(r.complete());
            assertEquals(digest, r.digestHex());
        }
    }

    @Test
    void shouldProduceSameDigestAndRecordsWhenSameEventsWritten(@TempDir final Path dir) throws Exception {
        final List<String> digests = new ArrayList<>();
        for (final String name : new String[] {"a", "b"}) {
            final Stamp s = new Stamp();
            try (JournalWriter w = JournalWriter.create(dir.resolve(name), HEADER, s)) {
                writeSample(w, s, 500);
                digests.add(w.digestHex());
            }
        }
        assertEquals(digests.get(0), digests.get(1));
        // The queue data files are byte-identical too: pinned time provider and roll cycle.
        final byte[] a = Files.readAllBytes(dir.resolve("a").resolve("19700101H.cq4"));
        final byte[] b = Files.readAllBytes(dir.resolve("b").resolve("19700101H.cq4"));
        assertTrue(java.util.Arrays.equals(a, b), "queue files differ");
    }

    /** Forward compatibility: a kind a later version adds is read like any record, shown by number, and filterable. */
    @Test
    void shouldReadKindsFromANewerVersionAsOrdinaryRecords(@TempDir final Path dir) {
        final Stamp s = new Stamp();
        try (JournalWriter w = JournalWriter.create(dir.resolve("j"), HEADER, s)) {
            w.onEvent(EventKind.PIO_WRITE, 0, 0x402, 1, 'A');
            w.onEvent(200, 0, 7, 0, 9);
            w.onEvent(EventKind.PIO_WRITE, 0, 0x402, 1, 'B');
        }
        try (JournalReader r = JournalReader.open(dir.resolve("j"))) {
            final EventRecord e = new EventRecord();
            assertTrue(r.next(e));
            assertTrue(r.next(e));
            assertEquals(200, e.kind());
            assertEquals(7, e.address());
            assertTrue(EventFormatter.text(e).contains("kind-200 (a kind this dejavm does not know"), EventFormatter.text(e));
            assertTrue(r.next(e));
            assertEquals('B', e.value());
            assertFalse(r.next(e));
            assertTrue(r.complete());
        }
    }

    @Test
    void shouldRefuseNonEmptyDirectory(@TempDir final Path dir) throws Exception {
        Files.writeString(dir.resolve("x"), "x");
        final JournalException e = assertThrows(JournalException.class, () -> JournalWriter.create(dir, HEADER, new Stamp()));
        assertTrue(e.getMessage().contains("not empty"));
    }

    @Test
    void shouldRejectQueueWithoutDejavmHeader(@TempDir final Path dir) {
        try (var q = Queues.open(dir, false)) {
            try (var dc = q.createAppender().writingDocument()) {
                dc.wire().bytes().writeLong(42);
            }
        }
        final JournalException e = assertThrows(JournalException.class, () -> JournalReader.open(dir));
        assertTrue(e.getMessage().contains("not a dejavm journal"), e.getMessage());
    }

    @Test
    void shouldReportCutOffWhenEndRecordMissing(@TempDir final Path dir) {
        final Stamp s = new Stamp();
        final JournalWriter w = JournalWriter.create(dir, HEADER, s);
        writeSample(w, s, 10);
        // The process "dies" here: the END record is never written. Read while the writer is still open.
        try (JournalReader r = JournalReader.open(dir)) {
            final EventRecord e = new EventRecord();
            int n = 0;
            while (r.next(e)) {
                n++;
            }
            assertEquals(10, n);
            assertFalse(r.complete());
            final JournalException ex = assertThrows(JournalException.class, r::requireComplete);
            assertTrue(ex.getMessage().contains("cut off after 10 records"), ex.getMessage());
        }
        w.close();
    }

    @Test
    void shouldReportFirstDivergenceWithContext(@TempDir final Path dir) {
        final Stamp s = new Stamp();
        try (JournalWriter w = JournalWriter.create(dir, HEADER, s)) {
            writeSample(w, s, 50);
        }
        // Identical stream: no divergence.
        try (JournalReader r = JournalReader.open(dir)) {
            final Stamp live = new Stamp();
            final boolean[] stopped = {false};
            final JournalComparator c = new JournalComparator(r, live, 5, () -> stopped[0] = true);
            writeSampleTo(c, live, 50);
            assertNull(c.finish());
            assertFalse(stopped[0]);
        }
        // Value changed at event 20.
        try (JournalReader r = JournalReader.open(dir)) {
            final Stamp live = new Stamp();
            final boolean[] stopped = {false};
            final JournalComparator c = new JournalComparator(r, live, 5, () -> stopped[0] = true);
            for (int i = 0; i < 50; i++) {
                live.icount = 10L * i;
                live.cycles = 11L * i;
                live.rip = 0xFFFF0000L + i;
                c.onEvent(1 + (i % 4), i % 7 == 0 ? 1 : 0, 0x400 + i, 1 << (i % 4), 0x1234_5678_9ABCL * i + (i == 20 ? 1 : 0));
            }
            final JournalComparator.Divergence d = c.finish();
            assertNotNull(d);
            assertTrue(stopped[0]);
            assertEquals(20, d.seq());
            assertEquals(5, d.context().size());
            assertEquals(15, d.context().get(0).seq());
            assertTrue(d.toReport().contains("replay diverged at record 20"), d.toReport());
        }
        // Re-execution ends early.
        try (JournalReader r = JournalReader.open(dir)) {
            final Stamp live = new Stamp();
            final JournalComparator c = new JournalComparator(r, live, 3, () -> { });
            writeSampleTo(c, live, 30);
            final JournalComparator.Divergence d = c.finish();
            assertNotNull(d);
            assertEquals(30, d.seq());
            assertNull(d.replayed());
        }
    }

    private static void writeSampleTo(final JournalComparator c, final Stamp s, final int n) {
        for (int i = 0; i < n; i++) {
            s.icount = 10L * i;
            s.cycles = 11L * i;
            s.rip = 0xFFFF0000L + i;
            c.onEvent(1 + (i % 4), i % 7 == 0 ? EventKind.FLAG_UNASSIGNED : 0, 0x400 + i, 1 << (i % 4), 0x1234_5678_9ABCL * i);
        }
    }

    @Test
    void shouldFormatTextJsonAndCsv() {
        final EventRecord r = new EventRecord().set(7, 100, 101, 0xF0123, EventKind.PIO_WRITE, 0, 0x402, 1, 'A', Engine.INTERPRETER);
        assertEquals("#7 icount=100 t=101ns rip=0xf0123 pio-write port=0x402 size=1 value=0x41 'A'", EventFormatter.text(r));
        assertEquals("{\"seq\":7,\"icount\":100,\"cycles\":101,\"rip\":\"0xf0123\",\"engine\":\"interp\",\"kind\":\"pio-write\","
                + "\"address\":\"0x402\",\"size\":1,\"value\":\"0x41\",\"unassigned\":false}", EventFormatter.json(r));
        final String csv = EventFormatter.csv(r);
        assertEquals(EventFormatter.CSV_HEADER.split(",").length, csv.split(",").length);
        final EventRecord m = new EventRecord().set(1, 2, 3, 4, EventKind.MMIO_READ, EventKind.FLAG_UNASSIGNED, 0xFED40000L, 4, 0xFFFFFFFFL, Engine.KVM);
        assertEquals("#1 icount=2 t=3ns rip=0x4 engine=kvm mmio-read addr=0xfed40000 size=4 value=0xffffffff (unassigned)", EventFormatter.text(m));
    }

    @Test
    void shouldFilterByKindRangeAndSequence() {
        final EventFilter f = EventFilter.of("pio-write,reset", "0x80-0x90", 0, -1);
        assertTrue(f.accepts(new EventRecord().set(0, 0, 0, 0, EventKind.PIO_WRITE, 0, 0x80, 1, 1, 0)));
        assertFalse(f.accepts(new EventRecord().set(0, 0, 0, 0, EventKind.PIO_READ, 0, 0x80, 1, 1, 0)));
        assertFalse(f.accepts(new EventRecord().set(0, 0, 0, 0, EventKind.PIO_WRITE, 0, 0x91, 1, 1, 0)));
        final EventFilter seq = EventFilter.of(null, null, 5, 6);
        assertFalse(seq.accepts(new EventRecord().set(4, 0, 0, 0, 1, 0, 0, 1, 0, 0)));
        assertTrue(seq.accepts(new EventRecord().set(6, 0, 0, 0, 1, 0, 0, 1, 0, 0)));
        assertTrue(seq.pastEnd(new EventRecord().set(7, 0, 0, 0, 1, 0, 0, 1, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.of("bogus", null, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.of(null, "0x90-0x80", 0, -1));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.of(null, "zz", 0, -1));
    }

    @Test
    void shouldNotAllocatePerEventWhenAppending(@TempDir final Path dir) {
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final Stamp s = new Stamp();
        try (JournalWriter w = JournalWriter.create(dir, HEADER, s)) {
            for (int i = 0; i < 200_000; i++) {
                w.onEvent(1, 0, i, 1, i); // warm up
            }
            final long before = mx.getCurrentThreadAllocatedBytes();
            final int n = 200_000;
            for (int i = 0; i < n; i++) {
                w.onEvent(2, 0, i, 1, i);
            }
            final long perEvent = (mx.getCurrentThreadAllocatedBytes() - before) / n;
            assertTrue(perEvent < 8, "appending allocates " + perEvent + " bytes per event");
        }
    }
}
