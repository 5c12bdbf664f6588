package dev.dejavm.cli;

import dev.dejavm.platform.BadInputException;
import dev.dejavm.trace.journal.EventFilter;
import dev.dejavm.trace.journal.EventFormatter;
import dev.dejavm.trace.journal.JournalHeader;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dejavm inspect}: prints a journal's events, one per line. */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Print the events of a journal, one line each (text, JSON lines or CSV), optionally filtered.",
        footer = {"", "With --follow, a journal still being written is read as it grows, until its end-of-run record.",
                "", "Exit status: 0 printed; 2 not a journal, a damaged or cut-off journal (after printing what is readable), or a bad option."})
final class InspectCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "JOURNAL", description = "Journal directory (e.g. runs/<id>).")
    Path journal;

    @Option(names = "--kind", paramLabel = "K[,K...]", description = "Only these kinds: pio, mmio, pio-read, pio-write, mmio-read, mmio-write, reset, power-off, triple-fault, halt, insn-limit, time-limit, double-fault, random, input.")
    String kinds;

    @Option(names = "--port", paramLabel = "A[-B]", description = "Only accesses to this port or address range (hex with 0x).")
    String range;

    @Option(names = "--from", paramLabel = "N", defaultValue = "0", description = "First record number.")
    long from;

    @Option(names = "--to", paramLabel = "N", defaultValue = "-1", description = "Last record number.")
    long to;

    @Option(names = "--format", paramLabel = "text|json|csv", defaultValue = "text", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--follow", description = "Keep reading a journal that is still being written, until its end-of-run record (Ctrl-C stops).")
    boolean follow;

    @Override
    public Integer call() {
        final EventFormatter.Format f;
        final EventFilter filter;
        try {
            f = EventFormatter.parseFormat(format);
            filter = EventFilter.of(kinds, range, from, to);
        } catch (final IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        try (JournalReader reader = JournalReader.open(journal)) {
            final JournalHeader h = reader.header();
            if (f == EventFormatter.Format.TEXT) {
                out.println("# dejavm journal format " + h.formatVersion() + ", written by dejavm " + h.dejavmVersion());
                out.println("# firmware sha256 " + h.firmwareSha256());
                final StringBuilder cfg = new StringBuilder("# config");
                for (final Map.Entry<String, String> e : h.config().entrySet()) {
                    cfg.append(' ').append(e.getKey()).append('=').append(e.getValue());
                }
                out.println(cfg);
            } else if (f == EventFormatter.Format.CSV) {
                out.println(EventFormatter.CSV_HEADER);
            }
            final EventRecord r = new EventRecord();
            while (true) {
                if (!reader.next(r)) {
                    if (follow && !reader.complete()) {
                        out.flush();
                        sleep();
                        continue; // the recording is still running: wait for more records
                    }
                    break;
                }
                if (filter.pastEnd(r)) {
                    break;
                }
                if (filter.accepts(r)) {
                    out.println(EventFormatter.format(r, f));
                }
            }
            out.flush();
            if (!filter.pastEnd(r)) {
                reader.requireComplete();
                if (f == EventFormatter.Format.TEXT) {
                    out.println("# " + reader.recordsRead() + " events, digest sha256:" + reader.digestHex());
                }
            }
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while following the journal", e);
        }
    }
}
