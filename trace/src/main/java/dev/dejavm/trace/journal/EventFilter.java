package dev.dejavm.trace.journal;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.record.EventRecord;

import java.util.Locale;

/**
 * Selects records for {@code inspect}: by kind (a comma list of kind names, e.g. {@code pio,mmio,reset} —
 * {@code pio} and {@code mmio} stand for both directions), by port/address range {@code A[-B]} (hex with 0x, or
 * decimal), and by sequence number range.
 */
public final class EventFilter {
    private final boolean[] kinds = new boolean[256];
    private final boolean anyKind;
    private final long lo;
    private final long hi;
    private final long from;
    private final long to;

    private EventFilter(final String kindList, final String range, final long from, final long to) {
        if (kindList == null || kindList.isBlank()) {
            anyKind = true;
        } else {
            anyKind = false;
            for (final String k : kindList.split(",")) {
                final String name = k.trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "pio" -> {
                        kinds[EventKind.PIO_READ] = true;
                        kinds[EventKind.PIO_WRITE] = true;
                    }
                    case "mmio" -> {
                        kinds[EventKind.MMIO_READ] = true;
                        kinds[EventKind.MMIO_WRITE] = true;
                    }
                    default -> {
                        final int kind = EventKind.parse(name);
                        if (kind < 0) {
                            throw new IllegalArgumentException("unknown event kind '" + name + "' (known: pio, mmio, pio-read, pio-write, "
                                    + "mmio-read, mmio-write, reset, power-off, triple-fault, halt, insn-limit, time-limit, double-fault)");
                        }
                        kinds[kind] = true;
                    }
                }
            }
        }
        if (range == null || range.isBlank()) {
            lo = 0;
            hi = -1L;
        } else {
            final int dash = range.indexOf('-');
            lo = parseNumber(dash < 0 ? range : range.substring(0, dash));
            hi = dash < 0 ? lo : parseNumber(range.substring(dash + 1));
            if (Long.compareUnsigned(hi, lo) < 0) {
                throw new IllegalArgumentException("address range '" + range + "' ends before it starts");
            }
        }
        if (from < 0 || to < -1 || (to >= 0 && to < from)) {
            throw new IllegalArgumentException("sequence range " + from + ".." + to + " is empty or negative");
        }
        this.from = from;
        this.to = to;
    }

    /**
     * @param kindList comma list of kind names, or null for all
     * @param range    "A" or "A-B", or null for all
     * @param from     first sequence number
     * @param to       last sequence number, or -1 for no limit
     * @throws IllegalArgumentException with a one-line message for bad input
     */
    public static EventFilter of(final String kindList, final String range, final long from, final long to) {
        return new EventFilter(kindList, range, from, to);
    }

    public static long parseNumber(final String s) {
        final String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number (hex needs 0x)");
        }
    }

    public boolean accepts(final EventRecord r) {
        if (r.seq() < from || (to >= 0 && r.seq() > to)) {
            return false;
        }
        if (!anyKind && !kinds[r.kind()]) {
            return false;
        }
        if (hi != -1L || lo != 0) {
            final int k = r.kind();
            if (k < EventKind.PIO_READ || k > EventKind.MMIO_WRITE) {
                return false;
            }
            return Long.compareUnsigned(r.address(), lo) >= 0 && Long.compareUnsigned(r.address(), hi) <= 0;
        }
        return true;
    }

    /** True once no later record can match (sequence numbers only grow). */
    public boolean pastEnd(final EventRecord r) {
        return to >= 0 && r.seq() > to;
    }
}
