package dev.dejavm.cli;

import dev.dejavm.platform.BadInputException;

import java.util.Locale;

/** Parses and prints virtual durations. */
final class Durations {
    private Durations() {
    }

    /** "30s", "500ms", "20us", "1000ns", "2m" or a plain number of seconds → nanoseconds. */
    static long parseNanos(final String text) {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        final String[][] units = {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}, {"m", "60000000000"}};
        try {
            for (final String[] u : units) {
                if (t.endsWith(u[0]) && !(u[0].equals("s") && (t.endsWith("ns") || t.endsWith("us") || t.endsWith("ms")))) {
                    final double v = Double.parseDouble(t.substring(0, t.length() - u[0].length()));
                    return check(Math.round(v * Long.parseLong(u[1])), text);
                }
            }
            return check(Math.round(Double.parseDouble(t) * 1e9), text);
        } catch (final NumberFormatException e) {
            throw new BadInputException("duration '" + text + "' is not a number with a unit (ns, us, ms, s, m)");
        }
    }

    private static long check(final long ns, final String text) {
        if (ns < 0) {
            throw new BadInputException("duration '" + text + "' is negative");
        }
        return ns;
    }

    /** Nanoseconds as a human-readable duration, e.g. "2.345678 ms". */
    static String format(final long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%.3f us", ns / 1e3);
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.6f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.9f s", ns / 1e9);
    }
}
