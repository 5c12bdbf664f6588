package dev.dejavm.trace.journal;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.record.EventRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads a journal: the header, then event records in order. Every problem is a {@link JournalException} with a
 * one-line message naming the journal and, for damaged data, the record number — never a stack trace from the
 * queue library. Recomputes the record digest as it goes.
 */
public final class JournalReader implements AutoCloseable {
    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final JournalHeader header;
    private final MessageDigest digest;
    private long records;
    private boolean ended;
    private long endCount = -1;
    private final long headerIndex;

    private JournalReader(final Path dir, final SingleChronicleQueue queue) {
        this.dir = dir;
        this.queue = queue;
        this.tailer = queue.createTailer();
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        JournalHeader h = null;
        long headerIndex = -1;
        try (DocumentContext dc = tailer.readingDocument()) {
            if (dc.isPresent()) {
                h = JournalHeader.readFrom(dc.wire().bytes(), dir.toString());
                headerIndex = dc.index();
            }
        }
        this.headerIndex = headerIndex;
        if (h == null) {
            throw new JournalException(dir + ": not a dejavm journal (no dejavm header: empty, or cut off before it)");
        }
        this.header = h;
    }

    /** Opens the journal in {@code dir}. */
    public static JournalReader open(final Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new JournalException(dir + ": no such journal directory");
        }
        try (var s = Files.list(dir)) {
            if (s.noneMatch(p -> p.getFileName().toString().endsWith(".cq4"))) {
                throw new JournalException(dir + ": not a dejavm journal (no queue files)");
            }
        } catch (final IOException e) {
            throw new JournalException(dir + ": cannot read (" + e.getMessage() + ")");
        }
        SingleChronicleQueue q = null;
        try {
            q = Queues.open(dir, true);
            return new JournalReader(dir, q);
        } catch (final JournalException e) {
            if (q != null) {
                q.close();
            }
            throw e;
        } catch (final Throwable e) { // Chronicle may throw checked exceptions undeclared
            if (q != null) {
                try {
                    q.close();
                } catch (final Throwable ignored) {
                    // already failing
                }
            }
            throw new JournalException(dir + ": not a readable dejavm journal (" + oneLine(e) + ")");
        }
    }

    private static String oneLine(final Throwable e) {
        final String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        final int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    public JournalHeader header() {
        return header;
    }

    /**
     * Reads the next event record into {@code into}.
     *
     * @return false at the END record or where the data stops (then {@link #complete()} tells which)
     * @throws JournalException for a damaged record
     */
    public boolean next(final EventRecord into) {
        if (ended) {
            return false;
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            final Bytes<?> b = dc.wire().bytes();
            final long len = b.readRemaining();
            if (len != EventRecord.LENGTH) {
                throw new JournalException(dir + ": record " + records + " is damaged (" + len + " bytes, expected "
                        + EventRecord.LENGTH + ") at queue index 0x" + Long.toHexString(dc.index()));
            }
            b.read(into.bytes(), 0, EventRecord.LENGTH);
        } catch (final JournalException e) {
            throw e;
        } catch (final Throwable e) { // Chronicle may throw checked exceptions undeclared
            throw new JournalException(dir + ": record " + records + " cannot be read (" + oneLine(e) + ")");
        }
        if (!into.checksumValid()) {
            throw new JournalException(dir + ": record " + records + " is damaged (checksum mismatch)");
        }
        if (into.seq() != records) {
            throw new JournalException(dir + ": record " + records + " is damaged (sequence number " + into.seq() + ")");
        }
        if (into.kind() == EventKind.END) {
            ended = true;
            endCount = into.address();
            if (endCount != records) {
                throw new JournalException(dir + ": end record says " + endCount + " events, the journal has " + records);
            }
            return false;
        }
        if (digesting) {
            digest.update(into.bytes(), 0, EventRecord.LENGTH);
        }
        records++;
        return true;
    }

    private boolean digesting = true;

    /** Stops hashing the records (a reader that only scans, such as bisect's, saves most of its time). */
    public JournalReader withoutDigest() {
        digesting = false;
        return this;
    }

    /**
     * Positions the reader so that the next {@link #next} returns record {@code seq}, without reading the records
     * before it (the queue index of record N is the header's plus N + 1). The digest then no longer covers the whole
     * journal and is switched off.
     * @return false if the journal has no such record
     */
    public boolean skipTo(final long seq) {
        if (seq <= records) {
            return seq == records;
        }
        digesting = false;
        try {
            if (!tailer.moveToIndex(headerIndex + 1 + seq)) {
                return false;
            }
        } catch (final Throwable e) { // Chronicle may throw checked exceptions undeclared
            throw new JournalException(dir + ": cannot move to record " + seq + " (" + oneLine(e) + ")");
        }
        records = seq;
        return true;
    }

    /** True once the END record was read: the recording finished normally. */
    public boolean complete() {
        return ended;
    }

    /** Throws if the journal ended without its END record (call after {@link #next} returned false). */
    public void requireComplete() {
        if (!ended) {
            throw new JournalException(dir + ": journal is cut off after " + records
                    + " records (no end-of-run record: the recording was interrupted)");
        }
    }

    public long recordsRead() {
        return records;
    }

    /** SHA-256 over the records read so far (equals the writer's digest once the journal was read to its end). */
    public String digestHex() {
        if (!digesting) {
            throw new IllegalStateException("this reader was opened without the digest");
        }
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (final CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        queue.close();
    }
}
