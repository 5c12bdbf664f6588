package dev.dejavm.it;

import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled firmware on dejavm against QEMU 7.2 (TCG, -icount shift=0, VM-clock RTC at the same instant, fw_cfg
 * DMA off because dejavm's fw_cfg is port I/O only): same console text, same port I/O sequence with the same
 * values, and a CRC computed here from the firmware's specification.
 */
class BundledFirmwareBootTest {
    private static Path work;
    private static Cli.Result run;
    private static Path journal;
    private static Qemu.Output qemu;
    private static Path qemuLog;

    @BeforeAll
    static void bootBoth(@TempDir final Path dir) throws Exception {
        work = dir;
        journal = dir.resolve("journal");
        run = Cli.run("run", "--journal", journal.toString(), "--debugcon", dir.resolve("dc.txt").toString(),
                "--serial", dir.resolve("com1.txt").toString());
        final Path rom = BundledFirmware.extract("builtin", dir);
        qemuLog = dir.resolve("qemu-trace.log");
        qemu = Qemu.run(rom, dir, "exit: poweroff\n", List.of("-trace", "memory_region_ops_read", "-trace",
                "memory_region_ops_write", "-D", qemuLog.toString()));
    }

    @Test
    void shouldPowerOffAndPrintSummaryWhenBootingBundledFirmware() {
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("outcome        power-off"), run::toString);
        assertTrue(run.out().contains("journal        " + journal), run::toString);
        assertTrue(Pattern.compile("events digest  sha256:[0-9a-f]{64}").matcher(run.out()).find(), run::toString);
    }

    @Test
    void shouldPrintSameConsoleTextAsQemuWhenBootingBundledFirmware() throws Exception {
        final String dc = Files.readString(work.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        final String com1 = Files.readString(work.resolve("com1.txt"), StandardCharsets.ISO_8859_1);
        assertTrue(qemu.debugcon().endsWith("exit: poweroff\n"), "QEMU reference incomplete: " + qemu.debugcon());
        assertEquals(qemu.debugcon(), dc);
        assertEquals(qemu.com1(), com1);
    }

    @Test
    void shouldPrintCrcComputedFromFirmwareSpecificationWhenBootingBundledFirmware() throws Exception {
        final String dc = Files.readString(work.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        assertTrue(dc.contains(String.format(Locale.ROOT, "long64: crc32 0x%08x\n", BundledFirmware.expectedCrc32())), dc);
    }

    @Test
    void shouldJournalPostCodesInFirmwareOrderWhenBootingBundledFirmware() {
        final Cli.Result r = Cli.run("inspect", journal.toString(), "--kind", "pio-write", "--port", "0x80", "--format", "csv");
        assertEquals(0, r.status(), r::toString);
        final List<String> values = r.out().lines().skip(1).map(l -> l.split(",")[8]).toList();
        assertEquals(List.of("0x1", "0x2", "0x3", "0x4", "0x10", "0x11", "0x20", "0x30", "0xf0"), values);
    }

    /** One port access as QEMU traces it and as dejavm journals it. */
    record Access(boolean write, int port, int size, long value) {
    }

    @Test
    void shouldMatchQemuPortAccessSequenceWhenBootingBundledFirmware() throws Exception {
        // QEMU: "memory_region_ops_write cpu 0 mr 0x... addr 0x402 value 0x64 size 1 name 'isa-debugcon'"
        final Pattern p = Pattern.compile("memory_region_ops_(read|write) cpu \\d+ mr \\S+ addr 0x([0-9a-f]+) value 0x([0-9a-f]+) size (\\d+)");
        final List<Access> reference = new ArrayList<>();
        for (final String line : Files.readAllLines(qemuLog, StandardCharsets.ISO_8859_1)) {
            final Matcher m = p.matcher(line);
            if (m.find()) {
                final int port = Integer.parseInt(m.group(2), 16);
                if (port < 0x10000) {
                    reference.add(new Access(m.group(1).equals("write"), port, Integer.parseInt(m.group(4)), Long.parseUnsignedLong(m.group(3), 16)));
                }
            }
        }
        final List<Access> ours = new ArrayList<>();
        try (JournalReader reader = JournalReader.open(journal)) {
            final EventRecord r = new EventRecord();
            while (reader.next(r)) {
                if (r.kind() == 1 || r.kind() == 2) {
                    if ((r.flags() & 1) == 0) { // QEMU traces only accesses that reach a device
                        ours.add(new Access(r.kind() == 2, (int) r.address(), r.size(), r.value()));
                    }
                }
            }
        }
        // QEMU's fw_cfg directory has more files than ours, so the firmware reads a different number of directory
        // bytes: compare fw_cfg data reads only up to the directory count (signature, id, RAM size, CPU count).
        final List<Access> refComparable = comparable(reference);
        final List<Access> ourComparable = comparable(ours);
        assertTrue(refComparable.size() > 500, "QEMU trace too short: " + refComparable.size());
        assertEquals(refComparable, ourComparable);
    }

    private static List<Access> comparable(final List<Access> all) {
        final List<Access> out = new ArrayList<>();
        int fwCfgReads = 0;
        for (final Access a : all) {
            if (a.port() == 0x511) {
                if (++fwCfgReads > 18) {
                    continue;
                }
            }
            if (a.port() == 0x510 && a.value() >= 0x19) {
                continue; // selects of the directory and of files
            }
            out.add(a);
        }
        return out;
    }
}
