package dev.dejavm.cli;

import dev.dejavm.platform.BadInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code dejavm campaign merge}: combines the summaries of campaigns that ran parts of one seed range elsewhere (one
 * seed range per machine or pod, journals on shared storage) into one summary, as if one campaign had run them all.
 * The parts must be the same campaign (firmware, machine, reboots) and must not overlap.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Combine the summaries of campaign directories that each ran part of a seed range into one summary",
                "(the journals stay where they are; the merged summary points at them)."},
        footer = {"", "Exit status: 0 every seed passed; 1 at least one failed; 2 the parts do not belong together."})
final class CampaignMerge implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "CAMPAIGN_DIR", arity = "1..*", description = "Campaign directories (each with summary.json).")
    List<Path> parts;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where the merged summary goes (new or empty).")
    Path out;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws IOException {
        final PrintWriter o = spec.commandLine().getOut();
        String firmware = null;
        String machine = null;
        long reboots = -1;
        final List<CampaignCommand.Row> rows = new ArrayList<>();
        final Set<Long> seen = new HashSet<>();
        if (Files.exists(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new BadInputException(out + " is not empty: give a new directory for the merged summary");
                }
            }
        }
        Files.createDirectories(out);
        for (final Path part : parts) {
            final Path summary = part.resolve("summary.json");
            final Map<String, Object> s;
            try {
                s = (Map<String, Object>) Json.parse(Files.readString(summary));
            } catch (final IOException | RuntimeException e) {
                throw new BadInputException(summary + ": not a campaign summary (" + e.getMessage() + ")");
            }
            final String f = String.valueOf(s.get("firmware"));
            final String m = String.valueOf(s.get("machine"));
            final long r;
            try {
                r = Json.number(s.get("reboots"), "reboots");
                addPart(part, s, rows, seen);
            } catch (final BadInputException e) {
                throw e;
            } catch (final IllegalArgumentException | ClassCastException | NullPointerException e) {
                throw new BadInputException(summary + ": malformed campaign summary (" + e.getMessage() + ")");
            }
            if (firmware == null) {
                firmware = f;
                machine = m;
                reboots = r;
            } else if (!firmware.equals(f) || !machine.equals(m) || reboots != r) {
                throw new BadInputException(part + " is another campaign (" + f + " on " + m + ", " + r + " reboots) than the first ("
                        + firmware + " on " + machine + ", " + reboots + " reboots)");
            }
        }
        rows.sort(Comparator.comparingLong(CampaignCommand.Row::seed));
        final String range = rows.isEmpty() ? "" : rows.getFirst().seed() + ".." + rows.getLast().seed();
        CampaignCommand.writeSummary(o, out, firmware, machine, (int) reboots, range + " (merged from " + parts.size() + " parts)", rows);
        return rows.stream().anyMatch(CampaignCommand.Row::failed) ? ExitCodes.GUEST_FAILURE : ExitCodes.OK;
    }

    @SuppressWarnings("unchecked")
    private static void addPart(final Path part, final Map<String, Object> s, final List<CampaignCommand.Row> rows, final Set<Long> seen) {
        for (final Object o2 : (List<Object>) s.get("runs")) {
            final Map<String, Object> run = (Map<String, Object>) o2;
            final long seed = Json.number(run.get("seed"), "seed");
            if (!seen.add(seed)) {
                throw new BadInputException("seed " + seed + " appears in more than one part (the second: " + part + ")");
            }
            final boolean failed = Boolean.TRUE.equals(run.get("failed"));
            final Path journal = part.resolve(String.valueOf(run.get("journal"))).toAbsolutePath().normalize();
            rows.add(new CampaignCommand.Row(seed, failed, failed ? (int) Json.number(run.get("boot"), "boot") : 0,
                    failed ? Json.number(run.get("icount"), "icount") : 0, failed ? String.valueOf(run.get("how")) : "",
                    failed ? String.valueOf(run.get("reproduce")) : "", journal.toString()));
        }
    }
}
