package dev.dejavm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Shows a guest console (debugcon, COM1) to the user. When several consoles share the terminal each line gets a
 * short tag ({@code debugcon| }, {@code com1| }) so interleaved output stays readable; a console sent to a file
 * gets the raw bytes.
 */
final class ConsolePrinter {
    private final OutputStream file;
    private final PrintWriter terminal;
    private final String tag;
    private final StringBuilder line = new StringBuilder();

    private ConsolePrinter(final OutputStream file, final PrintWriter terminal, final String tag) {
        this.file = file;
        this.terminal = terminal;
        this.tag = tag;
    }

    static ConsolePrinter terminal(final PrintWriter out, final String tag) {
        return new ConsolePrinter(null, out, tag);
    }

    static ConsolePrinter file(final OutputStream out) {
        return new ConsolePrinter(out, null, "");
    }

    static ConsolePrinter discard() {
        return new ConsolePrinter(OutputStream.nullOutputStream(), null, "");
    }

    /** One byte written by the guest. */
    void write(final int b) {
        try {
            if (file != null) {
                file.write(b);
                // A file someone tails (or a script waits on) sees every byte as the guest writes it: prompts and
                // progress lines often end without a newline (OVMF's countdown rewrites one line in place).
                file.flush();
                return;
            }
            if (b == '\n') {
                flushLine();
            } else if (b != '\r') {
                line.append(b >= 0x20 && b < 0x7f || b == '\t' ? (char) b : '.');
                if (line.length() >= 4096) {
                    flushLine();
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void flushLine() {
        terminal.println(tag + line);
        terminal.flush();
        line.setLength(0);
    }

    /** Prints a last unterminated line, if any, and flushes. */
    void finish() {
        try {
            if (file != null) {
                file.close();
            } else if (!line.isEmpty()) {
                flushLine();
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
