package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --host-bridge cloudhv}: the pc board's 00:00.0 shows Cloud Hypervisor's identity (8086:0d57). SeaBIOS, which
 * reads the host bridge's IDs to know its platform, reports what it found; the option is recorded and replayed.
 */
class HostBridgeTest {
    @Test
    void firmwareSeesTheChosenHostBridgeIdentity(@TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(Path.of("/usr/share/seabios/bios-256k.bin")), "Debian's seabios package is needed (./test.sh installs it)");
        final Path journal = dir.resolve("j");
        Cli.run("run", "--firmware", "seabios", "--host-bridge", "cloudhv", "--quiet", "--max-icount", "300000",
                "--journal", journal.toString(), "--debugcon", dir.resolve("chv.txt").toString());
        assertTrue(Files.readString(dir.resolve("chv.txt"), StandardCharsets.ISO_8859_1).contains("Running on QEMU (unknown nb: 8086:0d57)"));
        Cli.run("run", "--firmware", "seabios", "--quiet", "--max-icount", "300000", "--no-journal",
                "--debugcon", dir.resolve("pc.txt").toString());
        assertTrue(Files.readString(dir.resolve("pc.txt"), StandardCharsets.ISO_8859_1).contains("Running on QEMU (i440fx)"));
        final Cli.Result replay = Cli.run("replay", journal.toString());
        assertEquals(0, replay.status(), replay::toString);
        final Cli.Result q35 = Cli.run("run", "--machine", "q35", "--host-bridge", "cloudhv", "--no-journal");
        assertEquals(2, q35.status(), q35::toString);
        assertTrue(q35.err().contains("needs the pc machine"), q35::toString);
    }
}
