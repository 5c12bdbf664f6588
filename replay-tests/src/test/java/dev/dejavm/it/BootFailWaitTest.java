package dev.dejavm.it;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --boot-fail-wait} puts QEMU's {@code etc/boot-fail-wait} file in fw_cfg, and SeaBIOS obeys it: it announces
 * the wait and reboots that much virtual time after "No bootable device.", or (with QEMU's default, never) prints
 * QEMU's own line and waits.
 */
class BootFailWaitTest {
    @Test
    void seabiosRebootsAfterTheGivenTimeOrNever(@TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(Path.of("/usr/share/seabios/bios-256k.bin")), "Debian's seabios package is needed (./test.sh installs it)");
        final Path j = dir.resolve("j");
        final Cli.Result five = Cli.run("run", "--firmware", "seabios", "--boot-fail-wait", "5s", "--quiet", "--journal", j.toString(),
                "--debugcon", dir.resolve("five.txt").toString());
        assertEquals(0, five.status(), five::toString);
        assertTrue(Files.readString(dir.resolve("five.txt"), StandardCharsets.ISO_8859_1).contains("No bootable device.  Retrying in 5 seconds.\n"));
        long messageAt = -1;
        long resetAt = -1;
        final StringBuilder dc = new StringBuilder();
        try (JournalReader r = JournalReader.open(j)) {
            final EventRecord e = new EventRecord();
            while (r.next(e)) {
                if (e.kind() == EventKind.PIO_WRITE && e.address() == 0x402) {
                    dc.append((char) e.value());
                    if (messageAt < 0 && dc.indexOf("No bootable device.") >= 0) {
                        messageAt = e.cycles();
                    }
                } else if (e.kind() == EventKind.RESET) {
                    resetAt = e.cycles();
                }
            }
        }
        assertTrue(resetAt - messageAt >= 5_000_000_000L && resetAt - messageAt < 5_200_000_000L,
                "reset " + (resetAt - messageAt) + " ns after the message");
        assertEquals(0, Cli.run("replay", j.toString()).status());

        final Cli.Result never = Cli.run("run", "--firmware", "seabios", "--boot-fail-wait", "never", "--max-virtual-time", "70s",
                "--no-journal", "--quiet", "--debugcon", dir.resolve("never.txt").toString());
        assertEquals(1, never.status(), never::toString); // no reboot: the time limit ends it
        assertTrue(Files.readString(dir.resolve("never.txt"), StandardCharsets.ISO_8859_1).endsWith("No bootable device.\n"));
        assertEquals(2, Cli.run("run", "--boot-fail-wait", "soon", "--no-journal").status());
    }
}
