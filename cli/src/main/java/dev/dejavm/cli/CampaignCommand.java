package dev.dejavm.cli;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.platform.BadInputException;
import dev.dejavm.trace.journal.JournalException;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code dejavm campaign}: the same firmware booted and rebooted under many perturbation seeds, one recorded run per
 * seed ({@code run --seed S --reboots R}), in parallel processes; each run is judged by its journal (a triple fault,
 * a halt, a hang caught by the virtual-time watchdog, or a debugcon text), and the campaign writes a table and a
 * JSON summary naming, for every failing seed, the boot that failed, how, its journal and the command that
 * reproduces it. Every run is deterministic, so the results do not depend on how many run at once.
 */
@Command(name = "campaign", mixinStandardHelpOptions = true, versionProvider = Version.class, subcommands = CampaignMerge.class,
        description = {"Boot and reboot firmware under a range of perturbation seeds (run --seed), in parallel, and report",
                "which (seed, boot) failed and how, with the journal and the command that reproduces each failure."},
        footer = {"", "Exit status: 0 every seed passed; 1 at least one failed (see the summary); 2 bad input."})
final class CampaignCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--firmware", paramLabel = "builtin|seabios|PATH", defaultValue = "builtin", description = "As for run.")
    String firmware;

    @Option(names = "--machine", paramLabel = "pc|q35", defaultValue = "pc", description = "As for run (default: ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = "--reboots", paramLabel = "N", defaultValue = "-1", description = "Guest resets per run (required).")
    int reboots;

    @Option(names = "--seeds", paramLabel = "A..B", description = "Seeds to try, e.g. 1..64 (1 or more; required).")
    String seeds;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "0", description = "Runs at once (default: the number of cores).")
    int jobs;

    @Option(names = "--out", paramLabel = "DIR", description = "Campaign directory (new or empty): journals and summary (required).")
    Path out;

    @Option(names = "--watchdog", paramLabel = "DURATION", defaultValue = "120s",
            description = "Virtual time per boot after which a run counts as hung (default: ${DEFAULT-VALUE}).")
    String watchdog;

    @Option(names = "--residue", paramLabel = "kept|cleared|poisoned", defaultValue = "kept", description = "As for run.")
    String residue;

    @Option(names = "--fail-on-debugcon", paramLabel = "TEXT", description = "Also count a boot as failed when debugcon shows TEXT.")
    String failText;

    /** One run's verdict. */
    record Verdict(long seed, boolean failed, String how, int boot, long icount, long boots, Path journal) {
    }

    @Override
    public Integer call() throws Exception {
        final PrintWriter o = spec.commandLine().getOut();
        if (seeds == null || out == null || reboots < 0) {
            throw new BadInputException("campaign needs --reboots N (0 or more), --seeds A..B and --out DIR");
        }
        final long[] range = parseRange(seeds);
        Durations.parseNanos(watchdog);
        if (Files.exists(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new BadInputException(out + " is not empty: give a new campaign directory");
                }
            }
        }
        Files.createDirectories(out);
        final int parallel = jobs > 0 ? jobs : Runtime.getRuntime().availableProcessors();
        final int total = (int) (range[1] - range[0] + 1);
        o.printf(Locale.ROOT, "campaign: %s on %s, %d reboots, seeds %d..%d, %d at once, in %s%n", firmware, machine, reboots,
                range[0], range[1], parallel, out);
        o.flush();
        final ExecutorService pool = Executors.newFixedThreadPool(parallel);
        final List<Future<Verdict>> futures = new ArrayList<>();
        for (long s = range[0]; s <= range[1]; s++) {
            final long seed = s;
            futures.add(pool.submit(() -> runSeed(seed)));
        }
        pool.shutdown();
        final List<Verdict> verdicts = new ArrayList<>();
        int done = 0;
        for (final Future<Verdict> f : futures) {
            final Verdict v = f.get();
            verdicts.add(v);
            done++;
            o.printf(Locale.ROOT, "[%d/%d] seed %d: %s%n", done, total, v.seed(), v.failed()
                    ? String.format(Locale.ROOT, "FAILED at boot %d: %s (instruction %,d)", v.boot(), v.how(), v.icount())
                    : "passed (" + v.boots() + " boots)");
            o.flush();
        }
        pool.awaitTermination(1, TimeUnit.MINUTES);
        writeSummary(o, verdicts);
        return verdicts.stream().anyMatch(Verdict::failed) ? ExitCodes.GUEST_FAILURE : ExitCodes.OK;
    }

    static long[] parseRange(final String text) {
        final String[] p = text.trim().split("\\.\\.");
        try {
            final long a = Long.parseLong(p[0].trim());
            final long b = p.length == 2 ? Long.parseLong(p[1].trim()) : a;
            if (p.length > 2 || a < 1 || b < a || b - a >= 100_000) {
                throw new NumberFormatException();
            }
            return new long[] {a, b};
        } catch (final NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new BadInputException("--seeds '" + text + "' is not a range A..B of seeds 1 or more (at most 100000)");
        }
    }

    /** The command line that reproduces one seed's run. */
    List<String> runArguments(final long seed) {
        // The watchdog is per boot: the run may take that much virtual time for each of its boots.
        long total;
        try {
            total = Math.multiplyExact(Durations.parseNanos(watchdog), reboots + 1L);
        } catch (final ArithmeticException e) {
            total = Long.MAX_VALUE;
        }
        final List<String> args = new ArrayList<>(List.of("run", "--firmware", firmware, "--machine", machine, "--reboots",
                Integer.toString(reboots), "--seed", Long.toString(seed), "--max-virtual-time", total + "ns"));
        if (!residue.equals("kept")) {
            args.addAll(List.of("--residue", residue));
        }
        return args;
    }

    private Verdict runSeed(final long seed) throws IOException, InterruptedException {
        final Path journal = out.resolve("seed-" + seed);
        final Path debugcon = out.resolve("seed-" + seed + ".debugcon.txt");
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(runArguments(seed));
        cmd.addAll(List.of("--quiet", "--journal", journal.toString(), "--debugcon", debugcon.toString(),
                "--serial", out.resolve("seed-" + seed + ".com1.txt").toString()));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(out.resolve("seed-" + seed + ".log").toFile()).start();
        p.waitFor();
        return judge(seed, journal, failText);
    }

    /** Reads one run's journal: the first failure (triple fault, halt, watchdog, debugcon text) and the boot it hit. */
    static Verdict judge(final long seed, final Path journal, final String failText) {
        int boot = 1;
        long boots = 1;
        final StringBuilder dc = new StringBuilder();
        try (JournalReader r = JournalReader.open(journal).withoutDigest()) {
            final EventRecord e = new EventRecord();
            while (r.next(e)) {
                final int k = e.kind();
                if (k == EventKind.RESET) {
                    boot++;
                    boots++;
                    dc.setLength(0);
                } else if (k == EventKind.TRIPLE_FAULT) {
                    return new Verdict(seed, true, "triple fault (vector " + e.address() + ")", boot, e.icount(), boots, journal);
                } else if (k == EventKind.HALT && e.value() == 0) {
                    return new Verdict(seed, true, "halted with interrupts off", boot, e.icount(), boots, journal);
                } else if (k == EventKind.TIME_LIMIT) {
                    return new Verdict(seed, true, "hang (watchdog)", boot, e.icount(), boots, journal);
                } else if (failText != null && k == EventKind.PIO_WRITE && e.address() == 0x402) {
                    dc.append((char) (e.value() & 0xFF));
                    if (dc.indexOf(failText) >= 0) {
                        return new Verdict(seed, true, "debugcon showed \"" + failText + "\"", boot, e.icount(), boots, journal);
                    }
                }
            }
            if (!r.complete()) {
                return new Verdict(seed, true, "the run died (journal cut off)", boot, 0, boots, journal);
            }
        } catch (final JournalException e) {
            return new Verdict(seed, true, "no readable journal (" + e.getMessage() + ")", boot, 0, boots, journal);
        }
        return new Verdict(seed, false, "", 0, 0, boots - 1, journal);
    }

    /** One line of a campaign summary. */
    record Row(long seed, boolean failed, int boot, long icount, String how, String reproduce, String journal) {
    }

    private void writeSummary(final PrintWriter o, final List<Verdict> verdicts) throws IOException {
        final List<Row> rows = new ArrayList<>();
        for (final Verdict v : verdicts) {
            rows.add(new Row(v.seed(), v.failed(), v.boot(), v.icount(), v.how(),
                    "./dejavm " + String.join(" ", runArguments(v.seed())), out.relativize(v.journal()).toString()));
        }
        writeSummary(o, out, firmware, machine, reboots, seeds, rows);
        rows.stream().filter(Row::failed).findFirst().ifPresent(v -> o.printf(Locale.ROOT,
                "reproduce the first: %s%n  then: ./dejavm bisect %s --until triple-fault%n", v.reproduce(), out.resolve(v.journal())));
        o.flush();
    }

    /** Writes summary.txt and summary.json into {@code dir} and prints the table. */
    static void writeSummary(final PrintWriter o, final Path dir, final String firmware, final String machine, final int reboots,
                             final String seeds, final List<Row> rows) throws IOException {
        final long failed = rows.stream().filter(Row::failed).count();
        final StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%-8s %-8s %-6s %-16s %s%n", "seed", "result", "boot", "instruction", "how"));
        for (final Row v : rows) {
            table.append(String.format(Locale.ROOT, "%-8d %-8s %-6s %-16s %s%n", v.seed(), v.failed() ? "FAILED" : "passed",
                    v.failed() ? Integer.toString(v.boot()) : "-", v.failed() ? String.format(Locale.ROOT, "%,d", v.icount()) : "-",
                    v.failed() ? v.how() : ""));
        }
        final StringBuilder json = new StringBuilder();
        json.append("{\"firmware\":").append(Json.quote(firmware)).append(",\"machine\":").append(Json.quote(machine))
                .append(",\"reboots\":").append(reboots).append(",\"seeds\":").append(Json.quote(seeds))
                .append(",\"failed\":").append(failed).append(",\"runs\":[\n");
        for (int i = 0; i < rows.size(); i++) {
            final Row v = rows.get(i);
            json.append("  {\"seed\":").append(v.seed()).append(",\"failed\":").append(v.failed());
            if (v.failed()) {
                json.append(",\"boot\":").append(v.boot()).append(",\"icount\":").append(v.icount()).append(",\"how\":")
                        .append(Json.quote(v.how())).append(",\"reproduce\":").append(Json.quote(v.reproduce()));
            }
            json.append(",\"journal\":").append(Json.quote(v.journal())).append('}').append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        json.append("]}\n");
        Files.writeString(dir.resolve("summary.txt"), table, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("summary.json"), json, StandardCharsets.UTF_8);
        o.println();
        o.print(table);
        o.printf(Locale.ROOT, "%d of %d seeds failed; summary in %s and %s%n", failed, rows.size(), dir.resolve("summary.txt"),
                dir.resolve("summary.json"));
        o.flush();
    }
}
