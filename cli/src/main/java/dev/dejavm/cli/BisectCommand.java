package dev.dejavm.cli;

import dev.dejavm.core.event.EventSink;
import dev.dejavm.platform.BadInputException;
import dev.dejavm.platform.board.Checkpoints;
import dev.dejavm.platform.board.Machine;
import dev.dejavm.platform.board.Outcome;
import dev.dejavm.platform.board.RunResult;
import dev.dejavm.trace.journal.EventFormatter;
import dev.dejavm.trace.journal.JournalComparator;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code dejavm bisect}: the first point of a recorded run at which a condition holds, down to the instruction.
 *
 * <p>Conditions on journal events (output text, event counts, triple fault, instruction count) are found by reading
 * the journal, which costs nothing but I/O; the run is then replayed only from the last checkpoint before that event
 * up to the instruction that made it, every replayed event compared with the recording, and the machine there is
 * shown: registers and code. Conditions on machine state ({@code rip=}, {@code mem[...]=}) need the machine after
 * every instruction: for {@code mem[...]=} the checkpoints are searched by halving (the condition evaluated on each
 * restored checkpoint, assuming that once it holds it keeps holding from one checkpoint to the next), then the
 * replay goes instruction by instruction from the last checkpoint at which it did not hold; {@code rip=} is about
 * reaching an instruction, which no snapshot shows, so its replay steps from power-on.
 */
@Command(name = "bisect", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Find the first event and instruction of a recorded run at which a condition holds (see --until),",
                "replaying from the nearest checkpoint, and show the registers and code there."},
        footer = {"", "Conditions (combine with 'and', 'or', parentheses):",
                "  port=0x402 output contains \"TEXT\"   kind=reset count>=2   triple-fault   icount>=5000000",
                "  rip=0xfffffff0   mem[0x7c00]=0x55   mem32[0x500]=0xdeadbeef   (these two replay instruction by instruction)",
                "", "Exit status: 0 found; 1 the condition never holds in the recorded run, or the replay diverged; 2 bad input."})
final class BisectCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "JOURNAL", description = "Journal directory.")
    Path journal;

    @Option(names = "--until", required = true, paramLabel = "CONDITION", description = "What to look for (see below).")
    String until;

    @Option(names = "--code", paramLabel = "N", defaultValue = "6", description = "Instructions to disassemble at the point found (default: ${DEFAULT-VALUE}).")
    int code;

    /** A recorded checkpoint record: its number and record number. */
    private record Mark(int number, long seq, long icount) {
    }

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final BisectPredicate probe = BisectPredicate.parse(until);
        final long started = System.nanoTime();
        // Read the journal once: where the condition first holds on events alone, and where the checkpoints are.
        final List<Mark> marks = new ArrayList<>();
        EventRecord found = null;
        long total = 0;
        try (JournalReader reader = JournalReader.open(journal).withoutDigest()) {
            final EventRecord r = new EventRecord();
            final BisectPredicate p = BisectPredicate.parse(until);
            while (reader.next(r)) {
                total++;
                if (r.kind() == dev.dejavm.core.event.EventKind.CHECKPOINT) {
                    marks.add(new Mark((int) r.address(), r.seq(), r.icount()));
                }
                if (found == null && !probe.needsMachine()) {
                    p.onEvent(r.kind(), r.address(), r.value(), r.size(), r.icount());
                    if (p.holds()) {
                        found = new EventRecord();
                        found.copyFrom(r);
                    }
                }
            }
        }
        final int available = Checkpoints.count(journal);
        marks.removeIf(m -> m.number() > available); // a cut-off run may lack the last file
        if (!probe.needsMachine()) {
            if (found == null) {
                out.printf(Locale.ROOT, "'%s' never holds in the %,d recorded events%n", until, total);
                out.flush();
                return ExitCodes.GUEST_FAILURE;
            }
            out.printf(Locale.ROOT, "first event where '%s' holds: %s%n", until, EventFormatter.text(found));
            final long seq = found.seq();
            Mark start = null;
            for (final Mark m : marks) {
                if (m.seq() < seq) {
                    start = m;
                }
            }
            return replayTo(out, start, found, started);
        }
        return stepSearch(out, marks, started);
    }

    /** Replays from {@code start} (null: power-on) up to the instruction that made the event, then shows the machine. */
    private int replayTo(final PrintWriter out, final Mark start, final EventRecord found, final long started) {
        final long icount = found.icount();
        try (JournalReader reader = JournalReader.open(journal)) {
            reader.withoutDigest();
            final ReplayCommand.Recorded rec = ReplayCommand.recorded(journal, reader.header(), null);
            try (Machine m = rec.build()) {
                final JournalComparator cmp = new JournalComparator(reader, m.stamp(), 8, m::abort);
                prepare(m, cmp, start);
                m.setEventSink(cmp);
                final RunResult r = m.runUntil(icount);
                final JournalComparator.Divergence d = cmp.divergence();
                if (d != null) {
                    out.print(d.toReport());
                    out.flush();
                    return ExitCodes.GUEST_FAILURE;
                }
                if (found.kind() == dev.dejavm.core.event.EventKind.TRIPLE_FAULT && !m.lastTripleFault().isEmpty()) {
                    // The CPU as it shut down (the board may have reset it since, to go on rebooting).
                    out.printf(Locale.ROOT, "the CPU at the triple fault, instruction %,d (replayed from %s, every event matching the recording):%n",
                            icount, start == null ? "power-on" : "checkpoint " + start.number());
                    out.print(m.lastTripleFault());
                    out.flush();
                    return ExitCodes.OK;
                }
                if (r.outcome() != Outcome.PAUSED) {
                    // The event ended the run (a halt, a limit...): the machine is shown as it stopped.
                    out.printf(Locale.ROOT, "the replay stopped there: %s%n", r.outcome().text());
                }
                show(out, m, start, started);
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    private void prepare(final Machine m, final JournalComparator cmp, final Mark start) {
        if (start != null) {
            final Checkpoints.Info info = Checkpoints.restore(m, journal, start.number());
            if (!cmp.startAt(info.recordSeq() + 1)) {
                throw new BadInputException("checkpoint " + start.number() + " is beyond the journal's end");
            }
        }
    }

    private void show(final PrintWriter out, final Machine m, final Mark start, final long started) {
        final long from = start == null ? 0 : start.icount();
        out.printf(Locale.ROOT, "instruction %,d (replayed %,d instructions from %s, every event matching the recording; %.1f s)%n",
                m.interpreter().icount(), m.interpreter().icount() - from,
                start == null ? "power-on" : "checkpoint " + start.number(), (System.nanoTime() - started) / 1e9);
        out.print(m.interpreter().describe());
        out.println("code (the next instruction first):");
        m.disassembleAt(nextInstruction(m), Math.max(1, code), t -> out.println("  " + t));
    }

    /** For conditions on machine state: halve over the checkpoints, then step instruction by instruction. */
    private int stepSearch(final PrintWriter out, final List<Mark> marks, final long started) {
        int lo = -1; // index of the last checkpoint known not to satisfy the condition (-1: power-on)
        int hi = marks.size(); // first known to satisfy it (size: none)
        final boolean halve = BisectPredicate.parse(until).judgedOnState();
        while (halve && hi - lo > 1) {
            final int mid = (lo + hi) >>> 1;
            if (holdsAtCheckpoint(marks.get(mid))) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        final Mark start = lo < 0 ? null : marks.get(lo);
        try (JournalReader reader = JournalReader.open(journal)) {
            final ReplayCommand.Recorded rec = ReplayCommand.recorded(journal, reader.header(), null);
            try (Machine m = rec.build()) {
                final BisectPredicate p = BisectPredicate.parse(until);
                final JournalComparator cmp = new JournalComparator(reader, m.stamp(), 8, m::abort);
                feedRecorded(p, start);
                prepare(m, cmp, start);
                p.attach(machineView(m));
                m.setEventSink(tee(cmp, p, m));
                long lastReport = System.nanoTime();
                while (true) {
                    p.atIcount(m.interpreter().icount());
                    if (p.holds()) {
                        out.printf(Locale.ROOT, "'%s' first holds before instruction %,d%n", until, m.interpreter().icount());
                        show(out, m, start, started);
                        out.flush();
                        return ExitCodes.OK;
                    }
                    final RunResult r = m.runUntil(m.interpreter().icount() + 1);
                    if (cmp.divergence() != null) {
                        out.print(cmp.divergence().toReport());
                        out.flush();
                        return ExitCodes.GUEST_FAILURE;
                    }
                    if (r.outcome() != Outcome.PAUSED) {
                        out.printf(Locale.ROOT, "'%s' never holds: the replay ended (%s) after %,d instructions%n", until,
                                r.outcome().text(), r.instructions());
                        out.flush();
                        return ExitCodes.GUEST_FAILURE;
                    }
                    if (System.nanoTime() - lastReport > 5_000_000_000L) {
                        lastReport = System.nanoTime();
                        System.err.printf(Locale.ROOT, "bisect: stepping, at instruction %,d%n", m.interpreter().icount());
                    }
                }
            }
        }
    }

    /** The condition evaluated on the machine restored at checkpoint {@code mark}, with the events recorded until then. */
    private boolean holdsAtCheckpoint(final Mark mark) {
        try (JournalReader reader = JournalReader.open(journal)) {
            final ReplayCommand.Recorded rec = ReplayCommand.recorded(journal, reader.header(), null);
            try (Machine m = rec.build()) {
                final BisectPredicate p = BisectPredicate.parse(until);
                feedRecorded(p, mark);
                Checkpoints.restore(m, journal, mark.number());
                p.attach(machineView(m));
                p.atIcount(m.interpreter().icount());
                return p.holds();
            }
        }
    }

    /** Feeds the recorded events up to and including checkpoint {@code mark}'s record (none for power-on). */
    private void feedRecorded(final BisectPredicate p, final Mark mark) {
        if (mark == null) {
            return;
        }
        try (JournalReader reader = JournalReader.open(journal).withoutDigest()) {
            final EventRecord r = new EventRecord();
            while (reader.next(r) && r.seq() <= mark.seq()) {
                p.onEvent(r.kind(), r.address(), r.value(), r.size(), r.icount());
            }
        }
    }

    /** The linear address of the instruction the CPU executes next (CS base + rIP). */
    static long nextInstruction(final Machine m) {
        final dev.dejavm.core.cpu.CpuState s = m.interpreter().state();
        return s.segBase[dev.dejavm.core.cpu.CpuState.CS] + s.rip;
    }

    private static BisectPredicate.Machine machineView(final Machine m) {
        return new BisectPredicate.Machine() {
            @Override
            public long rip() {
                return nextInstruction(m);
            }

            @Override
            public long readPhysical(final long address, final int bytes) {
                long v = 0;
                for (int i = 0; i < bytes; i++) {
                    v |= (long) (m.memory().peekByte(address + i) & 0xFF) << (8 * i);
                }
                return v;
            }
        };
    }

    private static EventSink tee(final JournalComparator cmp, final BisectPredicate p, final Machine m) {
        return (kind, flags, address, size, value) -> {
            cmp.onEvent(kind, flags, address, size, value);
            p.onEvent(kind, address, value, size, m.stamp().icount());
        };
    }
}
