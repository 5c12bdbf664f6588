package dev.dejavm.trace.journal;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.record.EventRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares two journals. Two views:
 * <ul>
 *   <li>the first divergence in event order (records compared in lockstep, sequence numbers aside), with the
 *       events before it from both journals;</li>
 *   <li>a summary per device port/address and kind, where the i-th access to a port in one journal is aligned with
 *       the i-th access to the same port in the other — so a difference in one device does not make every later
 *       event of other devices look different.</li>
 * </ul>
 */
public final class JournalDiff {
    /** Per (kind, address) counts: events in A, in B, and aligned pairs whose values differ. */
    public record PortSummary(int kind, long address, long countA, long countB, long valueDiffs, long firstDiffSeqA) {
        public boolean differs() {
            return countA != countB || valueDiffs != 0;
        }
    }

    /**
     * @param firstA    A's record at the first divergence (null if A ended there)
     * @param firstB    B's record there (null if B ended there)
     * @param contextA  A's records before it, oldest first
     * @param eventsA   events in A
     * @param eventsB   events in B
     */
    public record Result(boolean identical, long firstSeq, EventRecord firstA, EventRecord firstB, List<EventRecord> contextA,
                         List<PortSummary> ports, long eventsA, long eventsB, String digestA, String digestB) {
        public String toReport(final String nameA, final String nameB) {
            final StringBuilder b = new StringBuilder();
            if (identical) {
                b.append(String.format(Locale.ROOT, "identical: %,d events, digest sha256:%s%n", eventsA, digestA));
                return b.toString();
            }
            b.append(String.format(Locale.ROOT, "journals differ: A %s (%,d events), B %s (%,d events)%n", nameA, eventsA, nameB, eventsB));
            b.append("first divergence at event ").append(firstSeq).append(":\n");
            for (final EventRecord r : contextA) {
                b.append("    ").append(EventFormatter.text(r)).append('\n');
            }
            b.append("A: ").append(firstA == null ? "(journal ended)" : EventFormatter.text(firstA)).append('\n');
            b.append("B: ").append(firstB == null ? "(journal ended)" : EventFormatter.text(firstB)).append('\n');
            b.append("\ndifferences per port/address (i-th access in A against i-th access in B):\n");
            b.append(String.format(Locale.ROOT, "  %-12s %-18s %10s %10s %12s  %s%n", "kind", "address", "events A", "events B", "values diff", "first in A"));
            for (final PortSummary p : ports) {
                if (p.differs()) {
                    b.append(String.format(Locale.ROOT, "  %-12s 0x%-16x %10d %10d %12d  %s%n", EventKind.name(p.kind()), p.address(),
                            p.countA(), p.countB(), p.valueDiffs(), p.firstDiffSeqA() < 0 ? "-" : "#" + p.firstDiffSeqA()));
                }
            }
            return b.toString();
        }
    }

    private JournalDiff() {
    }

    /** Compares two complete journals (throws {@link JournalException} for unreadable or cut-off ones). */
    public static Result compare(final JournalReader a, final JournalReader b, final int context) {
        final List<long[]> listA = new ArrayList<>();
        final List<long[]> listB = new ArrayList<>();
        final EventRecord ra = new EventRecord();
        final EventRecord rb = new EventRecord();
        final EventRecord[] ring = new EventRecord[Math.max(1, context)];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = new EventRecord();
        }
        long seq = 0;
        long firstSeq = -1;
        EventRecord firstA = null;
        EventRecord firstB = null;
        List<EventRecord> ctx = List.of();
        boolean moreA = true;
        boolean moreB = true;
        while (moreA || moreB) {
            moreA = moreA && a.next(ra);
            moreB = moreB && b.next(rb);
            if (moreA) {
                listA.add(key(ra));
            }
            if (moreB) {
                listB.add(key(rb));
            }
            if (firstSeq < 0 && (moreA || moreB)) {
                if (moreA != moreB || !ra.sameEvent(rb)) {
                    firstSeq = seq;
                    firstA = moreA ? copy(ra) : null;
                    firstB = moreB ? copy(rb) : null;
                    final List<EventRecord> c = new ArrayList<>();
                    for (long s = Math.max(0, seq - context); s < seq; s++) {
                        c.add(copy(ring[(int) (s % ring.length)]));
                    }
                    ctx = c;
                } else {
                    ring[(int) (seq % ring.length)].copyFrom(ra);
                }
            }
            seq++;
        }
        a.requireComplete();
        b.requireComplete();
        return new Result(firstSeq < 0, firstSeq, firstA, firstB, ctx, summarize(listA, listB), listA.size(), listB.size(),
                a.digestHex(), b.digestHex());
    }

    /** {kind, address, value, seq} of an access (machine events use address as given). */
    private static long[] key(final EventRecord r) {
        return new long[] {r.kind(), r.address(), r.value(), r.seq(), r.size()};
    }

    private static List<PortSummary> summarize(final List<long[]> a, final List<long[]> b) {
        final Map<String, List<long[]>> byA = group(a);
        final Map<String, List<long[]>> byB = group(b);
        final TreeMap<String, PortSummary> out = new TreeMap<>();
        final java.util.TreeSet<String> keys = new java.util.TreeSet<>(byA.keySet());
        keys.addAll(byB.keySet());
        for (final String k : keys) {
            final List<long[]> la = byA.getOrDefault(k, List.of());
            final List<long[]> lb = byB.getOrDefault(k, List.of());
            long diffs = 0;
            long firstDiff = -1;
            for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                if (la.get(i)[2] != lb.get(i)[2] || la.get(i)[4] != lb.get(i)[4]) {
                    diffs++;
                    if (firstDiff < 0) {
                        firstDiff = la.get(i)[3];
                    }
                }
            }
            if (firstDiff < 0 && la.size() != lb.size()) {
                firstDiff = la.size() > lb.size() ? la.get(lb.size())[3] : -1;
            }
            final long[] any = !la.isEmpty() ? la.get(0) : lb.get(0);
            out.put(k, new PortSummary((int) any[0], any[1], la.size(), lb.size(), diffs, firstDiff));
        }
        return new ArrayList<>(out.values());
    }

    private static Map<String, List<long[]>> group(final List<long[]> events) {
        final Map<String, List<long[]>> m = new TreeMap<>();
        for (final long[] e : events) {
            m.computeIfAbsent(String.format(Locale.ROOT, "%02d:%016x", e[0], e[1]), x -> new ArrayList<>()).add(e);
        }
        return m;
    }

    private static EventRecord copy(final EventRecord r) {
        final EventRecord c = new EventRecord();
        c.copyFrom(r);
        return c;
    }
}
