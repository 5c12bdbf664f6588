package dev.dejavm.it;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's unmodified OVMF.fd on dejavm's {@code pc} and {@code q35} boards against QEMU 7.2 TCG on the same image
 * and board: SEC, PEI (x87
 * and SSE control state, fw_cfg DMA), DXE (x87 arithmetic among other things) and BDS until the UEFI Shell starts
 * its startup.nsh countdown. The serial console text up to that point must be QEMU's, byte for byte.
 */
class OvmfBootTest {
    private static final Path OVMF = Path.of("/usr/share/ovmf/OVMF.fd");
    private static final String MARKER = "or any other key to continue.";

    private static String upToMarker(final String text) {
        final int i = text.indexOf(MARKER);
        return i < 0 ? text : text.substring(0, i + MARKER.length());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pc", "q35"})
    void shouldPrintQemusConsoleTextUntilTheShellCountdown(final String machine, @TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(OVMF), "Debian's ovmf package is needed (./test.sh installs it)");
        assertTrue(Qemu.available(), "qemu-system-x86 is needed (./test.sh installs it)");
        final String qemu = upToMarker(Qemu.run(machine, OVMF, dir, MARKER, java.util.List.of()).com1());
        assertTrue(qemu.contains("UEFI Interactive Shell v2.2") && qemu.endsWith(MARKER), "QEMU did not reach the Shell:\n" + qemu);
        final Cli.Result r = Cli.run("run", "--firmware", OVMF.toString(), "--machine", machine, "--no-journal", "--quiet",
                "--max-icount", "800000000", "--serial", dir.resolve("com1.txt").toString());
        final String ours = upToMarker(Files.readString(dir.resolve("com1.txt"), StandardCharsets.ISO_8859_1));
        assertTrue(r.out().contains("instruction limit reached"), r::toString);
        assertEquals(qemu, ours);
    }
}
