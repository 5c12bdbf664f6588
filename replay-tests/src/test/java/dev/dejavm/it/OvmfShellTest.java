package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Driving Debian's OVMF through the serial input script: a key skips the startup.nsh countdown, the UEFI Shell
 * runs a command typed at its prompt and then "reset -s", which powers the machine off through the ACPI PM block.
 * Every typed byte is journaled as an input event.
 */
class OvmfShellTest {
    @Test
    void shouldRunShellCommandsTypedByTheScriptAndPowerOff(@TempDir final Path dir) throws Exception {
        final Path ovmf = Path.of("/usr/share/ovmf/OVMF.fd");
        assertTrue(Files.exists(ovmf), "Debian's ovmf package is needed (./test.sh installs it)");
        final String echo = "echo typed by dejavm\r";
        final String off = "reset -s\r";
        Files.writeString(dir.resolve("script.txt"), """
                # skip the countdown, run a command, switch off
                after "any other key to continue." send "\\r"
                after "Shell> " send "%s"
                after "Shell> " send "%s"
                """.formatted(echo.replace("\r", "\\r"), off.replace("\r", "\\r")));
        final Cli.Result r = Cli.run("run", "--firmware", ovmf.toString(), "--serial-input", dir.resolve("script.txt").toString(),
                "--max-icount", "2500000000", "--quiet", "--serial", dir.resolve("com1.txt").toString(),
                "--journal", dir.resolve("journal").toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        power-off"), r::toString);
        final String com1 = Files.readString(dir.resolve("com1.txt"), StandardCharsets.ISO_8859_1);
        assertTrue(com1.contains("\r\ntyped by dejavm\r\n"), "the shell's output of the typed command:\n" + com1);
        final Cli.Result inputs = Cli.run("inspect", dir.resolve("journal").toString(), "--kind", "input", "--format", "csv");
        assertEquals(1 + echo.length() + off.length(), inputs.out().lines().count() - 1, inputs.out());
    }
}
