package dev.dejavm.cli;

import dev.dejavm.platform.board.RunResult;
import dev.dejavm.platform.firmware.FirmwareImage;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** The end-of-run summary printed by {@code dejavm run}. */
final class Summary {
    private Summary() {
    }

    static void print(final PrintWriter out, final FirmwareImage image, final RunResult r, final long events,
                      final Path journal, final String digest) {
        out.println();
        out.println("== dejavm run summary");
        out.printf(Locale.ROOT, "firmware       %s (%d bytes, sha256 %s)%n", image.name(), image.bytes().length, image.sha256());
        out.printf(Locale.ROOT, "instructions   %,d%n", r.instructions());
        out.printf(Locale.ROOT, "virtual time   %s%n", Durations.format(r.virtualNs()));
        out.printf(Locale.ROOT, "events         %,d%s%n", events, journal == null ? " (not journaled)" : " journaled");
        out.printf(Locale.ROOT, "outcome        %s%s%n", r.outcome().text(),
                r.resets() == 0 ? "" : r.resets() == 1 ? " (1 guest reset in this run)" : " (" + r.resets() + " guest resets in this run)");
        if (journal != null) {
            out.printf(Locale.ROOT, "journal        %s%n", journal);
            out.printf(Locale.ROOT, "events digest  sha256:%s%n", digest);
        }
        if (!r.detail().isEmpty()) {
            out.println();
            out.println(r.detail());
        }
        out.flush();
    }
}
