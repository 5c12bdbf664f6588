package dev.dejavm.cli;

import dev.dejavm.trace.journal.JournalDiff;
import dev.dejavm.trace.journal.JournalReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dejavm diff}: compares two journals. */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Compare two journals: the first divergent event with the events before it, and a summary of",
                "differences per port/address (the i-th access to a port in A against the i-th in B)."},
        footer = {"", "Exit status: 0 identical event streams; 1 they differ; 2 not a journal, damaged or cut off."})
final class DiffCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOURNAL_A")
    Path a;

    @Parameters(index = "1", paramLabel = "JOURNAL_B")
    Path b;

    @Option(names = "--context", paramLabel = "K", defaultValue = "10", description = "Events to show before the divergence (default: ${DEFAULT-VALUE}).")
    int context;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        try (JournalReader ra = JournalReader.open(a); JournalReader rb = JournalReader.open(b)) {
            if (!ra.header().config().equals(rb.header().config()) || !ra.header().firmwareSha256().equals(rb.header().firmwareSha256())) {
                out.println("note: the journals were recorded with different configurations or firmware:");
                for (final String k : new java.util.TreeSet<>(ra.header().config().keySet())) {
                    final String va = ra.header().config().get(k);
                    final String vb = rb.header().config().get(k);
                    if (!va.equals(vb)) {
                        out.println("    " + k + ": " + va + " | " + vb);
                    }
                }
                if (!ra.header().firmwareSha256().equals(rb.header().firmwareSha256())) {
                    out.println("    firmware sha256: " + ra.header().firmwareSha256() + " | " + rb.header().firmwareSha256());
                }
            }
            final JournalDiff.Result r = JournalDiff.compare(ra, rb, Math.max(0, context));
            out.print(r.toReport(a.toString(), b.toString()));
            out.flush();
            return r.identical() ? ExitCodes.OK : ExitCodes.GUEST_FAILURE;
        }
    }
}
