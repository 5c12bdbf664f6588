package dev.dejavm.it;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interrupt path end to end against QEMU: the bundled test firmware {@code interrupts.S} takes HPET interrupts
 * (one-shot edge, one-shot level with Remote IRR and EOI, periodic, legacy replacement on IRQ0) and RTC periodic
 * interrupts through the I/O APIC and the local APIC in protected mode, and prints what it counted and read. The
 * same image under QEMU 7.2 TCG ({@code pc} and {@code q35}) gives the reference text, made at test time.
 */
class InterruptsVsQemuTest {
    private static final String MARKER = "interrupts: done";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pc", "q35"})
    void shouldCountTheSameInterruptsAsQemu(final String board, @TempDir final Path dir) throws Exception {
        assertTrue(Qemu.available(), "qemu-system-x86 is needed (./test.sh installs it)");
        final Path rom = BundledFirmware.extract("interrupts", dir);
        final String qemu = Qemu.run(board, rom, dir, MARKER, List.of()).debugcon();
        assertTrue(qemu.contains(MARKER), "QEMU did not finish the test firmware:\n" + qemu);
        // The reference itself: every step reached, with the counts a correct machine gives.
        for (final String line : List.of("ioapic version 00170020, hpet capabilities 8086a201 period 00989680",
                "hpet one-shot, level, ioapic pin 2: 1, remote irr after eoi 0", "hpet periodic: 5",
                "hpet legacy replacement, irq0: 1", "rtc periodic, irq8, ioapic pin 8: 3")) {
            assertTrue(qemu.contains(line + "\n"), "QEMU printed:\n" + qemu);
        }
        final Path journal = dir.resolve("journal");
        final Cli.Result r = Cli.run("run", "--firmware", rom.toString(), "--machine", board, "--journal", journal.toString(), "--quiet",
                "--max-virtual-time", "1s", "--debugcon", dir.resolve("dc.txt").toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        reset"), r::toString);
        final String ours = Files.readString(dir.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        assertEquals(qemu.substring(0, qemu.indexOf(MARKER) + MARKER.length()), ours.substring(0, Math.max(0, ours.indexOf(MARKER)) + MARKER.length()));
        // The journal's interrupt records: the vectors the firmware counted (7 x 0x40: one-shot, five periodic, legacy;
        // 1 x 0x43: level; 3 x 0x41: RTC), all through the APIC.
        final java.util.Map<Long, Integer> vectors = new java.util.TreeMap<>();
        try (dev.dejavm.trace.journal.JournalReader reader = dev.dejavm.trace.journal.JournalReader.open(journal)) {
            final dev.dejavm.trace.record.EventRecord e = new dev.dejavm.trace.record.EventRecord();
            while (reader.next(e)) {
                if (e.kind() == dev.dejavm.core.event.EventKind.INTERRUPT) {
                    assertEquals(0, e.value(), "from the local APIC");
                    vectors.merge(e.address(), 1, Integer::sum);
                }
            }
        }
        assertEquals(java.util.Map.of(0x40L, 7, 0x41L, 3, 0x43L, 1), vectors);
    }
}
