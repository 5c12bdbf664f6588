package dev.dejavm.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's OVMF as QEMU runs it with a variable store: the code image (OVMF_CODE_4M.fd, OVMF_CODE.fd) as a
 * read-only flash chip at the top of 4 GiB and a copy of the matching OVMF_VARS file as a writable one below it. OVMF's flash driver detects the
 * chip, programs and erases it through CFI commands, and the variables it writes go through to the {@code --vars}
 * file; the Shell's {@code reset} reboots through 0xCF9 with the variables kept.
 */
class OvmfFlashTest {
    private static final Path CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    private static final Path TEMPLATE = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
    private static final Path CODE_2M = Path.of("/usr/share/OVMF/OVMF_CODE.fd");
    private static final String MARKER = "or any other key to continue.";

    private static String upToMarker(final String text) {
        final int i = text.indexOf(MARKER);
        return i < 0 ? text : text.substring(0, i + MARKER.length());
    }

    @Test
    void shouldReachTheShellWithQemusConsoleTextAndWriteVariablesToTheVarsFile(@TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(CODE) && Files.exists(TEMPLATE), "Debian's ovmf package is needed (./test.sh installs it)");
        assertTrue(Qemu.available(), "qemu-system-x86 is needed (./test.sh installs it)");
        final byte[] template = Files.readAllBytes(TEMPLATE);
        Files.write(dir.resolve("qemu-vars.fd"), template);
        final String qemu = upToMarker(Qemu.runWith("q35", dir, MARKER, List.of(
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + CODE,
                "-drive", "if=pflash,format=raw,unit=1,file=" + dir.resolve("qemu-vars.fd"))).com1());
        assertTrue(qemu.endsWith(MARKER), "QEMU did not reach the Shell:\n" + qemu);

        final Path vars = dir.resolve("vars.fd"); // does not exist: created from the template next to the code image
        final Cli.Result r = Cli.run("run", "--machine", "q35", "--firmware", CODE.toString(), "--vars", vars.toString(),
                "--max-icount", "900000000", "--quiet", "--serial", dir.resolve("com1.txt").toString(), "--journal", dir.resolve("j").toString());
        assertTrue(r.out().contains("instruction limit reached"), r::toString);
        assertEquals(qemu, upToMarker(Files.readString(dir.resolve("com1.txt"), StandardCharsets.ISO_8859_1)));
        final byte[] written = Files.readAllBytes(vars);
        assertEquals(template.length, written.length);
        assertFalse(java.util.Arrays.equals(template, written), "OVMF stored variables in the flash");
        assertArrayEquals(template, Files.readAllBytes(TEMPLATE), "the template is never written");
        // The flash commands are journaled as MMIO writes into the vars chip (0xffc00000 + ...).
        final Cli.Result mmio = Cli.run("inspect", dir.resolve("j").toString(), "--kind", "mmio-write", "--format", "csv");
        assertTrue(mmio.out().lines().filter(l -> l.contains(",0xffc")).count() > 1000, "flash program/erase cycles in the journal");
        // The power-on contents of the vars file are kept beside the journal; a replay starts from them.
        assertArrayEquals(template, Files.readAllBytes(dir.resolve("j").resolve("vars-at-power-on.fd")));
    }

    /**
     * Driven through the serial input script: a key skips the startup.nsh countdown, the Shell runs a typed
     * command, "reset" reboots through 0xCF9 (the flash chips come back in read-array mode, the variables stay),
     * the second boot reaches the Shell again and "reset -s" powers off through the ACPI PM block. Every typed byte
     * is journaled as an input event.
     */
    @Test
    void shouldRunTypedShellCommandsRebootWithTheVariablesKeptAndPowerOff(@TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(CODE_2M), "Debian's ovmf package is needed (./test.sh installs it)");
        final String echo = "echo typed by dejavm\r";
        Files.writeString(dir.resolve("script.txt"), """
                after "any other key to continue." send "\\r"
                after "Shell> " send "echo typed by dejavm\\r"
                after "Shell> " send "reset\\r"
                after "any other key to continue." send "\\r"
                after "Shell> " send "reset -s\\r"
                """);
        // The 2 MiB build (the halves of OVMF.fd) on pc: the 4 MiB build spends two virtual seconds per boot probing
        // for a TPM (its time-out, as under QEMU), which would make this test three times longer.
        final Path vars = dir.resolve("vars.fd");
        final Cli.Result r = Cli.run("run", "--machine", "pc", "--firmware", CODE_2M.toString(), "--vars", vars.toString(),
                "--serial-input", dir.resolve("script.txt").toString(), "--reboots", "1", "--max-icount", "6000000000",
                "--quiet", "--serial", dir.resolve("com1.txt").toString(), "--journal", dir.resolve("j").toString());
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("outcome        power-off (1 guest reset in this run)"), r::toString);
        final String com1 = Files.readString(dir.resolve("com1.txt"), StandardCharsets.ISO_8859_1);
        assertEquals(2, com1.split("UEFI Interactive Shell v2.2", -1).length - 1, com1);
        final Cli.Result cf9 = Cli.run("inspect", dir.resolve("j").toString(), "--kind", "pio-write", "--port", "0xcf9", "--format", "csv");
        assertEquals(List.of("0x6"), cf9.out().lines().skip(1).map(l -> l.split(",")[8]).toList(), "the Shell resets through 0xCF9 with 0x06");
        assertTrue(com1.contains("\r\ntyped by dejavm\r\n"), "the shell's output of the typed command:\n" + com1);
        final Cli.Result inputs = Cli.run("inspect", dir.resolve("j").toString(), "--kind", "input", "--format", "csv");
        assertEquals(1 + echo.length() + "reset\r".length() + 1 + "reset -s\r".length(), inputs.out().lines().count() - 1, inputs.out());
    }
}
