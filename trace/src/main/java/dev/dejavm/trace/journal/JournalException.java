package dev.dejavm.trace.journal;

/** A journal cannot be read: not a dejavm journal, a newer format, cut off or corrupt. One-line message. */
public final class JournalException extends RuntimeException {
    public JournalException(final String message) {
        super(message, null, false, false);
    }
}
