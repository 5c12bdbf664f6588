package dev.dejavm.it;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reboot-crash workflow end to end on the bundled demonstration firmware ({@code rebootbug.S}, whose warm boots
 * trust a slot number the previous boot derived from the PM timer, and slot 7 is not a handler): a campaign over a
 * few seeds finds failing and passing seeds, the results do not depend on the parallelism, the printed command
 * reproduces a failure exactly, and bisect stops at the instruction that cannot be delivered (INT3 with an empty
 * IDT), while the seeds' journals diverge in the PM timer's readings.
 */
class CampaignTest {
    private static final Pattern FAILED = Pattern.compile("(?m)^(\\d+)\\s+FAILED\\s+(\\d+)\\s+([0-9,]+)\\s+triple fault.*$");

    @Test
    void aCampaignFindsTheRebootBugAndEveryFailureReproduces(@TempDir final Path dir) throws Exception {
        final Cli.Result two = Cli.run("campaign", "--firmware", "rebootbug", "--reboots", "8", "--seeds", "1..6", "--jobs", "2",
                "--out", dir.resolve("c2").toString());
        assertEquals(1, two.status(), two::toString);
        final String table = Files.readString(dir.resolve("c2").resolve("summary.txt"), StandardCharsets.UTF_8);
        final Matcher m = FAILED.matcher(table);
        final List<long[]> failures = new ArrayList<>();
        while (m.find()) {
            failures.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3).replace(",", ""))});
        }
        assertFalse(failures.isEmpty(), table);
        assertTrue(table.contains("passed"), "some seeds survive 8 reboots: " + table);
        assertTrue(Files.readString(dir.resolve("c2").resolve("summary.json")).contains("\"reproduce\":\"./dejavm run --firmware rebootbug"));

        // The same campaign one run at a time: the same table.
        final Cli.Result one = Cli.run("campaign", "--firmware", "rebootbug", "--reboots", "8", "--seeds", "1..6", "--jobs", "1",
                "--out", dir.resolve("c1").toString());
        assertEquals(table, Files.readString(dir.resolve("c1").resolve("summary.txt"), StandardCharsets.UTF_8), one::toString);

        // The same seeds run as two parts (on other machines, say) and merged: the same table.
        Cli.run("campaign", "--firmware", "rebootbug", "--reboots", "8", "--seeds", "1..2", "--out", dir.resolve("p1").toString());
        Cli.run("campaign", "--firmware", "rebootbug", "--reboots", "8", "--seeds", "3..6", "--out", dir.resolve("p2").toString());
        final Cli.Result merged = Cli.run("campaign", "merge", dir.resolve("p2").toString(), dir.resolve("p1").toString(),
                "--out", dir.resolve("merged").toString());
        assertEquals(1, merged.status(), merged::toString);
        assertEquals(table, Files.readString(dir.resolve("merged").resolve("summary.txt"), StandardCharsets.UTF_8), merged::toString);
        final Cli.Result overlap = Cli.run("campaign", "merge", dir.resolve("p1").toString(), dir.resolve("c1").toString(),
                "--out", dir.resolve("bad").toString());
        assertEquals(2, overlap.status(), overlap::toString);

        // Reproduce the first failure with the printed command: the same boot, the same instruction, the same events.
        final long seed = failures.get(0)[0];
        final Path again = dir.resolve("again");
        final Cli.Result r = Cli.run("run", "--firmware", "rebootbug", "--machine", "pc", "--reboots", "8", "--seed", Long.toString(seed),
                "--max-virtual-time", "1080000000000ns", "--quiet", "--journal", again.toString());
        assertEquals(1, r.status(), r::toString);
        assertEquals(events(dir.resolve("c2").resolve("seed-" + seed)), events(again));
        long resetsBefore = 0;
        long faultAt = -1;
        try (JournalReader reader = JournalReader.open(again)) {
            final EventRecord e = new EventRecord();
            while (reader.next(e) && faultAt < 0) {
                if (e.kind() == EventKind.RESET) {
                    resetsBefore++;
                } else if (e.kind() == EventKind.TRIPLE_FAULT) {
                    faultAt = e.icount();
                }
            }
        }
        assertEquals(failures.get(0)[1], resetsBefore + 1, "the failing boot");
        assertEquals(failures.get(0)[2], faultAt, "the failing instruction");

        // Bisect: the machine as it stopped, at the INT3 its empty IDT cannot deliver.
        final Cli.Result b = Cli.run("bisect", again.toString(), "--until", "triple-fault");
        assertEquals(0, b.status(), b::toString);
        assertTrue(b.out().contains("last exception: vector 13 (#GP)"), b::toString);
        assertTrue(b.out().matches("(?s).*code \\(the faulting instruction first\\):\\s+\\S+: cc\\s+int3.*"), b::toString);

        // A passing seed and the failing one differ first where the boots read the PM timer.
        final String passing = table.lines().filter(l -> l.contains("passed")).findFirst().orElseThrow().split("\\s+")[0];
        final Cli.Result diff = Cli.run("diff", dir.resolve("c2").resolve("seed-" + passing).toString(), again.toString());
        assertEquals(1, diff.status(), diff::toString);
    }

    /** RAM residue policies: without the note left in RAM, the demonstration firmware never takes the warm path. */
    @Test
    void clearedOrPoisonedRamLeavesNoNoteForTheNextBoot(@TempDir final Path dir) throws Exception {
        for (final String policy : List.of("kept", "cleared", "poisoned")) {
            final Path j = dir.resolve(policy);
            final Cli.Result r = Cli.run("run", "--firmware", "rebootbug", "--reboots", "3", "--seed", "2", "--residue", policy,
                    "--quiet", "--journal", j.toString(), "--debugcon", dir.resolve(policy + ".txt").toString());
            assertEquals(0, r.status(), r::toString);
            final String text = Files.readString(dir.resolve(policy + ".txt"), StandardCharsets.ISO_8859_1);
            assertEquals(policy.equals("kept") ? 3 : 0, text.split("warm boot", -1).length - 1, text);
            assertEquals(4, text.split("next boot's slot", -1).length - 1, text);
            final Cli.Result replay = Cli.run("replay", j.toString());
            assertEquals(0, replay.status(), replay::toString);
        }
        assertEquals(2, Cli.run("run", "--residue", "scrambled", "--no-journal").status());
    }

    private static List<String> events(final Path journal) {
        final List<String> out = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            final EventRecord e = new EventRecord();
            while (reader.next(e)) {
                out.add(e.icount() + " " + e.cycles() + " " + e.kind() + " " + e.address() + " " + e.value());
            }
        }
        return out;
    }
}
