package dev.dejavm.trace.journal;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.core.event.EventSink;
import dev.dejavm.core.event.ExecutionStamp;
import dev.dejavm.trace.record.EventRecord;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Appends one fixed-layout {@link EventRecord} per event to a Chronicle queue, after the {@link JournalHeader}.
 * Allocation-free per event: a reused record image, a running SHA-256 over the record images (the journal's
 * digest), and one small write section per record. {@link #close()} appends the {@link EventKind#END} record; a
 * journal without it was cut off.
 */
public final class JournalWriter implements EventSink, AutoCloseable {
    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final ExecutionStamp stamp;
    private final EventRecord record = new EventRecord();
    private final MessageDigest digest;
    private long seq;
    private boolean closed;

    private JournalWriter(final Path dir, final ExecutionStamp stamp) {
        this.dir = dir;
        this.stamp = stamp;
        this.queue = Queues.open(dir, false);
        this.appender = queue.createAppender();
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Creates a journal in {@code dir}, which must not exist or be empty.
     *
     * @throws JournalException if the directory is unusable
     */
    public static JournalWriter create(final Path dir, final JournalHeader header, final ExecutionStamp stamp) {
        try {
            if (Files.exists(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new JournalException(dir + ": journal directory is not empty");
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (final IOException e) {
            throw new JournalException(dir + ": cannot create the journal directory (" + e.getMessage() + ")");
        }
        final JournalWriter w = new JournalWriter(dir, stamp);
        try (DocumentContext dc = w.appender.writingDocument()) {
            header.writeTo(dc.wire().bytes());
        }
        return w;
    }

    @Override
    public void onEvent(final int kind, final int flags, final long address, final int size, final long value) {
        record.set(seq, stamp.icount(), stamp.cycles(), stamp.rip(), kind, flags, address, size, value, stamp.engine());
        digest.update(record.bytes(), 0, EventRecord.LENGTH);
        append();
        seq++;
    }

    private void append() {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(record.bytes(), 0, EventRecord.LENGTH);
        }
    }

    /** Events journaled so far. */
    public long eventCount() {
        return seq;
    }

    /** Hex SHA-256 over the event records so far (not the END record), as {@link JournalReader} recomputes it. */
    public String digestHex() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (final CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path directory() {
        return dir;
    }

    /** Writes the END record and closes the queue. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        record.set(seq, stamp.icount(), stamp.cycles(), stamp.rip(), EventKind.END, 0, seq, 0, 0, stamp.engine());
        append();
        queue.close();
    }
}
