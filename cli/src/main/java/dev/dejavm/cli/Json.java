package dev.dejavm.cli;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer for the line-oriented commands: objects become {@link LinkedHashMap}s, arrays
 * {@link List}s, numbers {@link Long} (integers beyond the signed range, up to 2^64-1, wrap to their two's
 * complement as registers do) or {@link Double}, and {@code "0x..."} strings stay strings (callers may accept them
 * as numbers). Errors are {@link IllegalArgumentException}s naming the column.
 */
final class Json {
    private final String s;
    private int i;

    private Json(final String s) {
        this.s = s;
    }

    static Object parse(final String text) {
        final Json j = new Json(text);
        j.ws();
        final Object v = j.value();
        j.ws();
        if (j.i != j.s.length()) {
            throw j.error("unexpected text after the value");
        }
        return v;
    }

    private IllegalArgumentException error(final String what) {
        return new IllegalArgumentException(what + " at column " + (i + 1));
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private Object value() {
        if (i >= s.length()) {
            throw error("unexpected end of input");
        }
        final char c = s.charAt(i);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Object literal(final String word, final Object v) {
        if (!s.startsWith(word, i)) {
            throw error("expected " + word);
        }
        i += word.length();
        return v;
    }

    private Map<String, Object> object() {
        final Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("expected a member name");
            }
            final String key = string();
            ws();
            if (i >= s.length() || s.charAt(i) != ':') {
                throw error("expected ':'");
            }
            i++;
            ws();
            m.put(key, value());
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            } else if (i < s.length() && s.charAt(i) == '}') {
                i++;
                return m;
            } else {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() {
        final List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return l;
        }
        while (true) {
            ws();
            l.add(value());
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            } else if (i < s.length() && s.charAt(i) == ']') {
                i++;
                return l;
            } else {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        final StringBuilder b = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            final char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) {
                throw error("unterminated escape");
            }
            final char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("bad \\u escape");
                    }
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        final int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        boolean fraction = false;
        while (i < s.length()) {
            final char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                i++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || (c == '-' && i > start)) {
                fraction = true;
                i++;
            } else {
                break;
            }
        }
        final String t = s.substring(start, i);
        try {
            if (fraction) {
                return Double.parseDouble(t);
            }
            final BigInteger v = new BigInteger(t);
            if (v.bitLength() > 64 || (v.signum() < 0 && v.bitLength() > 63)) {
                throw error("integer out of 64-bit range: " + t);
            }
            return v.longValue();
        } catch (final NumberFormatException e) {
            throw error("bad number " + t);
        }
    }

    /** An integer member: a JSON integer or a "0x..." string. */
    static long number(final Object v, final String what) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof String str && str.toLowerCase(java.util.Locale.ROOT).startsWith("0x")) {
            try {
                return Long.parseUnsignedLong(str.substring(2), 16);
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException(what + ": bad hex number " + str);
            }
        }
        throw new IllegalArgumentException(what + ": expected an integer, got " + (v == null ? "null" : v));
    }

    /** A JSON string literal of {@code v}. */
    static String quote(final String v) {
        final StringBuilder b = new StringBuilder();
        string(b, v);
        return b.toString();
    }

    /** Writes a string with JSON escapes. */
    static void string(final StringBuilder b, final String v) {
        b.append('"');
        for (int k = 0; k < v.length(); k++) {
            final char c = v.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** Writes a 64-bit register value as an unsigned JSON integer. */
    static void unsigned(final StringBuilder b, final long v) {
        b.append(Long.toUnsignedString(v));
    }
}
