package dev.dejavm.it;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's SeaBIOS on dejavm's {@code pc} and {@code q35} boards against QEMU 7.2 TCG on the same image and board,
 * access by access: the ports and MMIO registers SeaBIOS touches, and the values it reads and writes there, up to
 * "No bootable device." (the first boot). The QEMU reference is its trace of every access to a memory region
 * ({@code memory_region_ops_read/write}, ports with no device included) and of fw_cfg, made at test time; dejavm's
 * side is the run's journal. {@link IoTrace} reads both.
 *
 * <p>What is compared:
 * <ol>
 *   <li>The locations touched, per direction: every port, and every MMIO register address (the local APIC, I/O
 *       APIC and HPET by offset, the q35 ECAM window by bus:device.function+offset, BARs by absolute address, which
 *       SeaBIOS assigns alike on both). A location touched on one side only is a difference, and so is a port that
 *       is unassigned (read as all ones) on one side and a device's on the other.</li>
 *   <li>For locations both touched, the set of values seen per register and size, reads and writes apart. Registers
 *       behind an index are keyed by it: PCI configuration data by the 0xCF8 address, CMOS data by the 0x70 index,
 *       fw_cfg data by the selector and offset. Counts are not compared (polling loops run as long as they need), nor
 *       the order of values.</li>
 * </ol>
 * Most fw_cfg data reaches SeaBIOS by DMA into RAM, which neither side records: only the selector, the
 * signature and ID reads and the DMA descriptor addresses are compared, and the report lists QEMU's fw_cfg file
 * directory and the keys SeaBIOS selected under QEMU. QEMU runs with COM1 (as dejavm's boards have it) and its
 * default SMM; it is stopped shortly after the marker and dejavm after 2 s of virtual time, and both are cut at the
 * marker.
 *
 * <p>Every difference must be listed in {@code seabios-trace-vs-qemu.txt} (test resources) with its reason, and every
 * listed difference must still occur on the boards it names; the test prints a report of both either way.
 */
class SeabiosTraceVsQemuTest {
    private static final Path ROM = Path.of("/usr/share/seabios/bios-256k.bin");
    private static final String MARKER = "No bootable device.";
    private static final String TRACE_EVENTS =
            "trace:memory_region_ops_read,trace:memory_region_ops_write,trace:fw_cfg_select,trace:fw_cfg_add_file";
    private static final int SHOWN_VALUES = 8;

    /** One line of the differences file: the boards it applies to, the difference lines it covers and why. */
    record Listed(String board, Pattern pattern, String reason) {
        boolean appliesTo(final String b) {
            return board.equals("both") || board.equals(b);
        }
    }

    static List<Listed> listedDifferences() throws IOException {
        try (InputStream in = SeabiosTraceVsQemuTest.class.getResourceAsStream("/seabios-trace-vs-qemu.txt")) {
            assertNotNull(in, "seabios-trace-vs-qemu.txt is missing from the test resources");
            final List<Listed> list = new ArrayList<>();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                final String[] f = line.split("\t");
                assertEquals(3, f.length, () -> "malformed line (board, pattern, reason): " + line);
                assertTrue(Set.of("pc", "q35", "both").contains(f[0]), () -> "board must be pc, q35 or both: " + line);
                assertTrue(!f[2].isBlank(), () -> "every difference needs its reason: " + line);
                list.add(new Listed(f[0], Pattern.compile(f[1]), f[2]));
            }
            return list;
        }
    }

    /** The differences between QEMU's summary and dejavm's, one line each: touched locations first, then values. */
    static List<String> differences(final IoTrace.Summary qemu, final IoTrace.Summary ours) {
        final List<String> out = new ArrayList<>();
        final SortedSet<String> locations = new TreeSet<>(qemu.touched().keySet());
        locations.addAll(ours.touched().keySet());
        for (final String loc : locations) {
            final IoTrace.Touch q = qemu.touched().get(loc);
            final IoTrace.Touch o = ours.touched().get(loc);
            if (o == null) {
                out.add("touched " + loc + ": qemu only" + (q.unassigned() ? " (unassigned)" : " " + regions(q)));
            } else if (q == null) {
                out.add("touched " + loc + ": ours only" + (o.unassigned() ? " (unassigned)" : ""));
            } else if (o.unassigned() && !q.unassigned()) {
                out.add("unassigned " + loc + ": ours only, qemu has " + regions(q));
            } else if (q.unassigned() && !o.unassigned()) {
                out.add("unassigned " + loc + ": qemu only");
            }
        }
        final SortedSet<String> registers = new TreeSet<>(qemu.values().keySet());
        registers.addAll(ours.values().keySet());
        for (final String reg : registers) {
            final String loc = qemu.locationOf().getOrDefault(reg, ours.locationOf().get(reg));
            if (!qemu.touched().containsKey(loc) || !ours.touched().containsKey(loc)) {
                continue; // already a difference of the touched locations
            }
            final SortedSet<Long> q = qemu.values().getOrDefault(reg, new TreeSet<>());
            final SortedSet<Long> o = ours.values().getOrDefault(reg, new TreeSet<>());
            if (q.equals(o)) {
                continue;
            }
            if (o.isEmpty()) {
                out.add(reg + ": qemu " + IoTrace.hexList(q, SHOWN_VALUES) + ", never by ours");
            } else if (q.isEmpty()) {
                out.add(reg + ": ours " + IoTrace.hexList(o, SHOWN_VALUES) + ", never by qemu");
            } else {
                final SortedSet<Long> onlyQ = new TreeSet<>(Long::compareUnsigned);
                onlyQ.addAll(q);
                onlyQ.removeAll(o);
                final SortedSet<Long> onlyO = new TreeSet<>(Long::compareUnsigned);
                onlyO.addAll(o);
                onlyO.removeAll(q);
                final List<String> parts = new ArrayList<>();
                if (!onlyQ.isEmpty()) {
                    parts.add("qemu only " + IoTrace.hexList(onlyQ, SHOWN_VALUES));
                }
                if (!onlyO.isEmpty()) {
                    parts.add("ours only " + IoTrace.hexList(onlyO, SHOWN_VALUES));
                }
                out.add(reg + ": " + String.join(", ", parts));
            }
        }
        return out;
    }

    private static String regions(final IoTrace.Touch t) {
        return t.regions().stream().map(r -> "'" + r + "'").collect(Collectors.joining(",", "(", ")"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pc", "q35"})
    void shouldTouchQemusPortsAndRegistersWithQemusValuesExceptTheListedDifferences(final String board, @TempDir final Path dir)
            throws Exception {
        skipLoudlyUnless(Files.exists(ROM), "Debian's SeaBIOS image " + ROM + " is missing (./test.sh installs the seabios package)");
        skipLoudlyUnless(Qemu.available(), Qemu.BINARY + " is missing (./test.sh installs qemu-system-x86)");
        final long start = System.nanoTime();
        final Path log = dir.resolve("qemu-trace.log");
        final String qemuText = Qemu.run(board, ROM, dir, MARKER, List.of("-d", TRACE_EVENTS, "-D", log.toString())).debugcon();
        assertTrue(qemuText.contains(MARKER), "QEMU did not reach '" + MARKER + "':\n" + qemuText);
        final IoTrace.Trace qemu;
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            qemu = IoTrace.parseQemu(lines::iterator, MARKER);
        }
        assertTrue(qemu.reachedMarker(), "QEMU's trace " + log + " ends before the debugcon write completing '" + MARKER + "'");
        final long qemuDone = System.nanoTime();

        final Path journal = dir.resolve("journal");
        final Cli.Result run = Cli.run("run", "--firmware", "seabios", "--machine", board, "--max-virtual-time", "2s", "--quiet",
                "--journal", journal.toString(), "--debugcon", dir.resolve("dc.txt").toString(),
                "--serial", dir.resolve("com1.txt").toString());
        final Cli.Result csv = Cli.run("inspect", journal.toString(), "--kind", "pio,mmio", "--format", "csv");
        assertEquals(0, csv.status(), csv.err());
        final IoTrace.Trace ours = IoTrace.parseJournalCsv(csv.out().lines()::iterator, MARKER);
        assertTrue(ours.reachedMarker(), () -> "dejavm's journal has no debugcon text up to '" + MARKER + "'\n" + run);
        final long oursDone = System.nanoTime();

        final IoTrace.Summary q = IoTrace.summarize(qemu.accesses(), board);
        final IoTrace.Summary o = IoTrace.summarize(ours.accesses(), board);
        final List<String> found = differences(q, o);
        final List<Listed> listed = listedDifferences().stream().filter(l -> l.appliesTo(board)).toList();
        final List<String> unlisted = new ArrayList<>();
        final StringBuilder report = new StringBuilder();
        report.append(String.format("SeaBIOS accesses on %s up to '%s': QEMU %d (%.1f s), dejavm %d (%.1f s)%n", board, MARKER,
                qemu.accesses().size(), (qemuDone - start) / 1e9, ours.accesses().size(), (oursDone - qemuDone) / 1e9));
        report.append(String.format("Locations touched (ports and MMIO registers, per direction): QEMU %d, dejavm %d, both %d;"
                + " registers with values: QEMU %d, dejavm %d%n", q.touched().size(), o.touched().size(),
                q.touched().keySet().stream().filter(o.touched()::containsKey).count(), q.values().size(), o.values().size()));
        report.append("QEMU's fw_cfg files: ").append(fileKeys(qemu)).append('\n');
        report.append("fw_cfg keys SeaBIOS selected under QEMU (port or DMA): ")
                .append(qemu.fwCfgSelected().stream().map(qemu::fwCfgName).distinct().collect(Collectors.joining(", "))).append('\n');
        for (final String d : found) {
            if (listed.stream().noneMatch(l -> l.pattern().matcher(d).matches())) {
                unlisted.add(d);
            }
        }
        report.append("Differences: ").append(found.size()).append(", of which not listed: ").append(unlisted.size()).append('\n');
        for (final String d : unlisted) {
            report.append("  NOT LISTED  ").append(d).append('\n');
        }
        final List<String> stale = new ArrayList<>();
        for (final Listed l : listed) {
            final List<String> matched = found.stream().filter(d -> l.pattern().matcher(d).matches()).toList();
            if (matched.isEmpty()) {
                stale.add(l.board() + "\t" + l.pattern().pattern());
                report.append("  STALE (listed, no longer occurs)  ").append(stale.getLast()).append('\n');
                continue;
            }
            for (final String d : matched) {
                report.append("  listed      ").append(d).append('\n');
            }
            report.append("                ").append(l.reason()).append('\n');
        }
        // fw_cfg: the items SeaBIOS selects, in order and by name (dejavm's journal has fw-cfg-select records),
        // equal QEMU's once the files only QEMU offers are taken out (SeaBIOS never selects a file it did not find).
        final List<String> oursSelected = selectedNames(journal);
        // QEMU traces its own reset's selection of key 0 first (fw_cfg_reset), which is no guest action.
        final List<Integer> qemuKeys = qemu.fwCfgSelected().subList(
                !qemu.fwCfgSelected().isEmpty() && qemu.fwCfgSelected().getFirst() == 0 ? 1 : 0, qemu.fwCfgSelected().size());
        final List<String> qemuSelected = qemuKeys.stream().map(qemu::fwCfgName)
                .filter(n -> n.startsWith("0x") || OUR_FILES.contains(n)).toList();
        report.append("fw_cfg selections, dejavm: ").append(String.join(", ", oursSelected)).append('\n');
        System.out.print(report);
        assertEquals(qemuSelected, oursSelected, "fw_cfg items selected, in order (QEMU's files that dejavm lacks left out)");
        if (!unlisted.isEmpty() || !stale.isEmpty()) {
            fail(unlisted.size() + " difference(s) not listed in seabios-trace-vs-qemu.txt and " + stale.size()
                    + " listed one(s) that no longer occur on " + board + ":\n" + report);
        }
    }

    /** dejavm's fw_cfg files on pc and q35 (sorted, keys from 0x20), as PcBoard adds them without --exit-action. */
    static final List<String> OUR_FILES = List.of("etc/acpi/rsdp", "etc/acpi/tables", "etc/e820", "etc/table-loader");

    /** The fw-cfg-select records of the journal up to the debugcon write completing the marker, by name. */
    static List<String> selectedNames(final Path journal) {
        final List<String> out = new ArrayList<>();
        final StringBuilder debugcon = new StringBuilder();
        try (dev.dejavm.trace.journal.JournalReader reader = dev.dejavm.trace.journal.JournalReader.open(journal)) {
            final dev.dejavm.trace.record.EventRecord r = new dev.dejavm.trace.record.EventRecord();
            while (reader.next(r) && debugcon.indexOf(MARKER) < 0) {
                if (r.kind() == dev.dejavm.core.event.EventKind.FW_CFG_SELECT) {
                    final int key = (int) r.address();
                    final int i = key - 0x20;
                    out.add(i >= 0 && i < OUR_FILES.size() ? OUR_FILES.get(i) : String.format("0x%04x", key));
                } else if (r.kind() == dev.dejavm.core.event.EventKind.PIO_WRITE && r.address() == IoTrace.DEBUGCON_PORT) {
                    debugcon.append((char) (r.value() & 0xFF));
                }
            }
        }
        return out;
    }

    private static String fileKeys(final IoTrace.Trace t) {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < t.fwCfgFiles().size(); i++) {
            out.add(String.format("0x%02x %s", 0x20 + i, t.fwCfgFiles().get(i)));
        }
        return String.join(", ", out);
    }

    private static void skipLoudlyUnless(final boolean condition, final String why) {
        if (!condition) {
            System.err.println("*** SKIPPED SeabiosTraceVsQemuTest: " + why + " ***");
        }
        assumeTrue(condition, "SKIPPED: " + why);
    }
}
