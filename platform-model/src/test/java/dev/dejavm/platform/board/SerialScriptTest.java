package dev.dejavm.platform.board;

import dev.dejavm.platform.BadInputException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The serial input script's syntax: steps, escapes, times, and one-line errors naming the line. */
class SerialScriptTest {
    @Test
    void shouldParseStepsWithEscapesAndTimes() {
        final SerialScript s = SerialScript.parse("""
                # comment
                after "Shell> " send "reset\\r"

                at 2.5s send "\\e[A\\x41\\"\\\\"   # trailing comment
                at 300ms send "x"
                """);
        assertEquals(3, s.steps().size());
        assertArrayEquals("Shell> ".getBytes(StandardCharsets.ISO_8859_1), s.steps().get(0).after());
        assertArrayEquals("reset\r".getBytes(StandardCharsets.ISO_8859_1), s.steps().get(0).send());
        assertNull(s.steps().get(1).after());
        assertEquals(2_500_000_000L, s.steps().get(1).atNs());
        assertArrayEquals(new byte[] {0x1b, '[', 'A', 'A', '"', '\\'}, s.steps().get(1).send());
        assertEquals(300_000_000L, s.steps().get(2).atNs());
        assertTrue(SerialScript.parse("").isEmpty());
    }

    @Test
    void shouldRejectMalformedLinesWithTheirNumber() {
        for (final String bad : new String[] {"send \"x\"", "after \"\" send \"x\"", "after \"a\" send x", "at 5 send \"x\"",
            "after \"a\" send \"x", "after \"a\" send \"\\q\"", "at 1s send \"x\" extra", "after \"a\" send \"\\x4\""}) {
            final BadInputException e = assertThrows(BadInputException.class, () -> SerialScript.parse("# first\n" + bad), bad);
            assertTrue(e.getMessage().startsWith("serial input line 2: "), e.getMessage());
        }
    }

    @Test
    void shouldCarryTheScriptInTheConfigurationForReplay() {
        final MachineConfig c = MachineConfig.defaults().withSerialInput("after \"x\" send \"y\"\n");
        assertEquals(c, MachineConfig.fromMap(c.toMap()));
        assertEquals(MachineConfig.defaults(), MachineConfig.fromMap(MachineConfig.defaults().toMap()));
        assertThrows(BadInputException.class, () -> MachineConfig.defaults().withSerialInput("nonsense"));
    }
}
