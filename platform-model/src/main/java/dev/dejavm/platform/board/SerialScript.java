package dev.dejavm.platform.board;

import dev.dejavm.platform.BadInputException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Scripted input for the first serial port, so that firmware waiting for a key or a command can be driven, and
 * driven the same way on every run and every replay. One step per line, carried out in order (across guest
 * resets):
 *
 * <pre>
 *   after "TEXT" send "STRING"     # once COM1 output (since the previous step) contains TEXT
 *   at 2.5s send "STRING"          # once the run's virtual time reaches 2.5 s (also ms, us, ns)
 *   # a comment; blank lines are ignored
 * </pre>
 *
 * Strings take the escapes \r, \n, \t, \e (ESC), \\, \" and \xHH. The bytes of a step are typed one at a time,
 * one every {@link #BYTE_NS} of virtual time (about 115200 baud), whenever the UART's receive FIFO has room.
 */
public final class SerialScript {
    /** Virtual time between two typed bytes. */
    public static final long BYTE_NS = 100_000;

    /** A step: trigger text (or null) or a time (or -1), and the bytes to type. */
    record Step(byte[] after, long atNs, byte[] send) {
    }

    private final List<Step> steps;

    private SerialScript(final List<Step> steps) {
        this.steps = steps;
    }

    List<Step> steps() {
        return steps;
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Parses a script; a malformed line is a {@link BadInputException} naming the line. */
    public static SerialScript parse(final String text) {
        final List<Step> out = new ArrayList<>();
        final String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            final String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(parseLine(line));
            } catch (final IllegalArgumentException e) {
                throw new BadInputException("serial input line " + (n + 1) + ": " + e.getMessage() + ": " + line);
            }
        }
        return new SerialScript(List.copyOf(out));
    }

    private static Step parseLine(final String line) {
        final int[] pos = {0};
        final String verb = word(line, pos);
        byte[] after = null;
        long at = -1;
        if (verb.equals("after")) {
            after = string(line, pos);
            if (after.length == 0) {
                throw new IllegalArgumentException("the text to wait for is empty");
            }
        } else if (verb.equals("at")) {
            at = duration(word(line, pos));
        } else {
            throw new IllegalArgumentException("a step starts with 'after \"TEXT\"' or 'at TIME'");
        }
        if (!word(line, pos).equals("send")) {
            throw new IllegalArgumentException("expected 'send \"STRING\"'");
        }
        final byte[] send = string(line, pos);
        skipBlanks(line, pos);
        if (pos[0] < line.length() && line.charAt(pos[0]) != '#') {
            throw new IllegalArgumentException("unexpected text after the string");
        }
        return new Step(after, at, send);
    }

    private static void skipBlanks(final String s, final int[] pos) {
        while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) {
            pos[0]++;
        }
    }

    private static String word(final String s, final int[] pos) {
        skipBlanks(s, pos);
        final int start = pos[0];
        while (pos[0] < s.length() && !Character.isWhitespace(s.charAt(pos[0])) && s.charAt(pos[0]) != '"') {
            pos[0]++;
        }
        return s.substring(start, pos[0]);
    }

    private static byte[] string(final String s, final int[] pos) {
        skipBlanks(s, pos);
        if (pos[0] >= s.length() || s.charAt(pos[0]) != '"') {
            throw new IllegalArgumentException("expected a quoted string");
        }
        pos[0]++;
        final StringBuilder b = new StringBuilder();
        while (true) {
            if (pos[0] >= s.length()) {
                throw new IllegalArgumentException("unterminated string");
            }
            final char ch = s.charAt(pos[0]++);
            if (ch == '"') {
                break;
            }
            if (ch != '\\') {
                b.append(ch);
                continue;
            }
            if (pos[0] >= s.length()) {
                throw new IllegalArgumentException("unterminated escape");
            }
            final char e = s.charAt(pos[0]++);
            switch (e) {
                case 'r' -> b.append('\r');
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'e' -> b.append('\u001b');
                case '\\' -> b.append('\\');
                case '"' -> b.append('"');
                case 'x' -> {
                    if (pos[0] + 2 > s.length()) {
                        throw new IllegalArgumentException("\\x needs two hex digits");
                    }
                    try {
                        b.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 2), 16));
                    } catch (final NumberFormatException ex) {
                        throw new IllegalArgumentException("\\x needs two hex digits");
                    }
                    pos[0] += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + e);
            }
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static long duration(final String t) {
        final long unit;
        final String num;
        if (t.endsWith("ms")) {
            unit = 1_000_000L;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("us")) {
            unit = 1_000L;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("ns")) {
            unit = 1L;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unit = 1_000_000_000L;
            num = t.substring(0, t.length() - 1);
        } else {
            throw new IllegalArgumentException("a time needs a unit: s, ms, us or ns");
        }
        try {
            final double v = Double.parseDouble(num);
            if (v < 0 || Double.isNaN(v) || v * unit > Long.MAX_VALUE / 2.0) {
                throw new IllegalArgumentException("time out of range");
            }
            return Math.round(v * unit);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException("'" + t + "' is not a time");
        }
    }
}
