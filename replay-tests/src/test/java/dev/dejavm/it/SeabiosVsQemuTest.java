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
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's SeaBIOS on dejavm's {@code pc} and {@code q35} boards against QEMU 7.2 TCG on the same image and board:
 * the debugcon text up to "No bootable device." must be QEMU's, line for line, apart from the lines listed in
 * {@code seabios-vs-qemu.txt} (test resources), each with the reason it differs. The QEMU reference is made at
 * test time.
 */
class SeabiosVsQemuTest {
    private static final Path ROM = Path.of("/usr/share/seabios/bios-256k.bin");
    private static final String MARKER = "No bootable device.";

    record Allowed(String board, String side, Pattern pattern) {
        boolean applies(final String b, final String s) {
            return (board.equals("both") || board.equals(b)) && List.of(side.split(",")).contains(s);
        }
    }

    static List<Allowed> allowedDifferences() throws IOException {
        try (InputStream in = SeabiosVsQemuTest.class.getResourceAsStream("/seabios-vs-qemu.txt")) {
            assertNotNull(in, "seabios-vs-qemu.txt is missing from the test resources");
            final List<Allowed> list = new ArrayList<>();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                final String[] f = line.split("\t");
                assertEquals(4, f.length, () -> "malformed line (board, side, pattern, reason): " + line);
                assertTrue(!f[3].isBlank(), () -> "every difference needs its reason: " + line);
                list.add(new Allowed(f[0], f[1], Pattern.compile(f[2])));
            }
            return list;
        }
    }

    /** The log's lines up to and including the marker line, without those the list allows on this side. */
    static List<String> significant(final String log, final String board, final String side, final List<Allowed> allowed) {
        final List<String> out = new ArrayList<>();
        for (final String line : log.split("\n")) {
            final String l = line.startsWith(MARKER) ? MARKER : line;
            if (allowed.stream().noneMatch(a -> a.applies(board, side) && a.pattern().matcher(l).matches())) {
                out.add(l);
            }
            if (l.equals(MARKER)) {
                break;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pc", "q35"})
    void shouldPrintQemusDebugconTextExceptTheListedDifferences(final String board, @TempDir final Path dir) throws Exception {
        assertTrue(Files.exists(ROM), "Debian's seabios package is needed (./test.sh installs it)");
        assertTrue(Qemu.available(), "qemu-system-x86 is needed (./test.sh installs it)");
        final String qemu = Qemu.run(board, ROM, dir, MARKER, List.of()).debugcon();
        assertTrue(qemu.contains(MARKER), "QEMU did not reach '" + MARKER + "':\n" + qemu);
        final Cli.Result r = Cli.run("run", "--firmware", "seabios", "--machine", board, "--max-virtual-time", "2s", "--no-journal",
                "--quiet", "--debugcon", dir.resolve("dc.txt").toString(), "--serial", dir.resolve("com1.txt").toString());
        final String ours = Files.readString(dir.resolve("dc.txt"), StandardCharsets.ISO_8859_1);
        assertTrue(ours.contains(MARKER), r + "\n" + ours);
        final List<Allowed> allowed = allowedDifferences();
        assertEquals(String.join("\n", significant(qemu, board, "qemu", allowed)), String.join("\n", significant(ours, board, "ours", allowed)));
    }
}
