package dev.dejavm.cli;

import dev.dejavm.core.event.EventKind;
import dev.dejavm.platform.BadInputException;
import dev.dejavm.trace.journal.EventFormatter;
import dev.dejavm.trace.journal.JournalDiff;
import dev.dejavm.trace.journal.JournalReader;
import dev.dejavm.trace.record.EventRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dejavm report}: one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched) about a
 * journal or a campaign directory: per boot a timeline of events by device over virtual time with the resets
 * marked, the boot's debugcon text, and for a campaign the outcome table and, for each failing seed, its first
 * divergence from a passing seed side by side.
 */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Write one self-contained HTML report of a journal or of a campaign directory: a timeline per boot,",
                "the outcome table, and the first divergence between a failing and a passing run."},
        footer = {"", "Exit status: 0 written; 2 not a journal or campaign directory."})
final class ReportCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "JOURNAL|CAMPAIGN_DIR")
    Path input;

    @Option(names = "--out", paramLabel = "FILE", description = "The HTML file (default: report.html in the input directory).")
    Path outFile;

    /** Rows of the timeline: a name and the ports (or address ranges) it covers. */
    private record Lane(String name, long from, long to, boolean mmio) {
    }

    private static final Lane[] LANES = {
        new Lane("debugcon", 0x402, 0x402, false), new Lane("com1", 0x3F8, 0x3FF, false), new Lane("pic", 0x20, 0x21, false),
        new Lane("pic", 0xA0, 0xA1, false), new Lane("pit", 0x40, 0x43, false), new Lane("rtc", 0x70, 0x71, false),
        new Lane("kbc", 0x60, 0x64, false), new Lane("pci", 0xCF8, 0xCFF, false), new Lane("fw_cfg", 0x510, 0x51B, false),
        new Lane("acpi-pm", 0x600, 0x67F, false), new Lane("acpi-pm", 0xB000, 0xB07F, false), new Lane("post", 0x80, 0x80, false),
        new Lane("lapic", 0xFEE00000L, 0xFEE00FFFL, true), new Lane("ioapic/hpet", 0xFEC00000L, 0xFED00FFFL, true),
        new Lane("flash", 0xFF000000L, 0xFFFFFFFFL, true),
    };
    private static final String[] LANE_NAMES = {"debugcon", "com1", "pic", "pit", "rtc", "kbc", "pci", "fw_cfg", "acpi-pm", "post",
        "lapic", "ioapic/hpet", "flash", "other i/o", "other mmio", "interrupts", "machine"};
    /** The timeline row of each of {@link #LANES}. */
    private static final int[] LANE_ROW = java.util.Arrays.stream(LANES)
            .mapToInt(l -> java.util.Arrays.asList(LANE_NAMES).indexOf(l.name())).toArray();

    /** One boot's events, bucketed for drawing. */
    private static final class Boot {
        long start = -1;
        long end;
        final List<long[]> marks = new ArrayList<>(); // {lane, time}
        final StringBuilder debugcon = new StringBuilder();
        String ending = "";
    }

    @Override
    public Integer call() throws Exception {
        final boolean campaign = Files.isRegularFile(input.resolve("summary.json"));
        if (!campaign && !Files.isDirectory(input)) {
            throw new BadInputException(input + ": not a journal or campaign directory");
        }
        final Path target = outFile != null ? outFile : input.resolve("report.html");
        final StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>dejavm report</title><style>\n")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:22px}h2{font-size:18px;margin-top:28px}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}")
                .append(".failed{background:#fde2e2}.passed{background:#e5f6e5}pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:240px}")
                .append(".side{display:flex;gap:16px}.side>div{flex:1;min-width:0}svg{background:#fcfcfc;border:1px solid #ddd}")
                .append("</style></head><body>\n");
        if (campaign) {
            campaign(h);
        } else {
            h.append("<h1>dejavm journal ").append(esc(input.toString())).append("</h1>\n");
            journal(h, input, "");
        }
        h.append("</body></html>\n");
        Files.writeString(target, h, StandardCharsets.UTF_8);
        spec.commandLine().getOut().println("report written: " + target);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    @SuppressWarnings("unchecked")
    private void campaign(final StringBuilder h) throws Exception {
        final Map<String, Object> s = (Map<String, Object>) Json.parse(Files.readString(input.resolve("summary.json")));
        final List<Object> runs = (List<Object>) s.get("runs");
        h.append("<h1>dejavm campaign: ").append(esc(String.valueOf(s.get("firmware")))).append(" on ")
                .append(esc(String.valueOf(s.get("machine")))).append(", ").append(esc(String.valueOf(s.get("reboots"))))
                .append(" reboots, seeds ").append(esc(String.valueOf(s.get("seeds")))).append("</h1>\n");
        h.append("<h2>Outcomes</h2><table><tr><th>seed</th><th>result</th><th>boot</th><th>instruction</th><th>how</th><th>reproduce</th></tr>\n");
        String passing = null;
        final List<Map<String, Object>> failing = new ArrayList<>();
        for (final Object o : runs) {
            final Map<String, Object> r = (Map<String, Object>) o;
            final boolean failed = Boolean.TRUE.equals(r.get("failed"));
            h.append("<tr class=\"").append(failed ? "failed" : "passed").append("\"><td>").append(r.get("seed")).append("</td><td>")
                    .append(failed ? "FAILED" : "passed").append("</td><td>").append(failed ? r.get("boot") : "").append("</td><td>")
                    .append(failed ? r.get("icount") : "").append("</td><td>").append(failed ? esc(String.valueOf(r.get("how"))) : "")
                    .append("</td><td><code>").append(failed ? esc(String.valueOf(r.get("reproduce"))) : "").append("</code></td></tr>\n");
            if (failed) {
                failing.add(r);
            } else if (passing == null) {
                passing = String.valueOf(r.get("journal"));
            }
        }
        h.append("</table>\n");
        for (final Map<String, Object> f : failing) {
            final Path bad = input.resolve(String.valueOf(f.get("journal")));
            h.append("<h2>Seed ").append(f.get("seed")).append(": ").append(esc(String.valueOf(f.get("how")))).append(" at boot ")
                    .append(f.get("boot")).append("</h2>\n");
            if (passing != null) {
                final Path good = input.resolve(passing);
                try (JournalReader a = JournalReader.open(good); JournalReader b = JournalReader.open(bad)) {
                    final JournalDiff.Result d = JournalDiff.compare(a, b, 8);
                    h.append("<p>First divergence from the passing run ").append(esc(passing)).append(" at event ").append(d.firstSeq())
                            .append(":</p><div class=\"side\"><div><b>passing (").append(esc(passing)).append(")</b><pre>");
                    d.contextA().forEach(e -> h.append(esc(EventFormatter.text(e))).append('\n'));
                    h.append("<b>").append(d.firstA() == null ? "(ended)" : esc(EventFormatter.text(d.firstA()))).append("</b></pre></div><div><b>failing (")
                            .append(esc(String.valueOf(f.get("journal")))).append(")</b><pre>");
                    d.contextA().forEach(e -> h.append(esc(EventFormatter.text(e))).append('\n'));
                    h.append("<b>").append(d.firstB() == null ? "(ended)" : esc(EventFormatter.text(d.firstB()))).append("</b></pre></div></div>\n");
                }
            }
            journal(h, bad, "seed " + f.get("seed") + ", ");
        }
    }

    private static int lane(final EventRecord e) {
        final int k = e.kind();
        if (k == EventKind.INTERRUPT || k == EventKind.IRQ_LINE) {
            return LANE_NAMES.length - 2;
        }
        final boolean pio = k == EventKind.PIO_READ || k == EventKind.PIO_WRITE;
        final boolean mmio = k == EventKind.MMIO_READ || k == EventKind.MMIO_WRITE;
        if (!pio && !mmio) {
            return LANE_NAMES.length - 1;
        }
        for (int i = 0; i < LANES.length; i++) {
            final Lane l = LANES[i];
            if (l.mmio() == mmio && Long.compareUnsigned(e.address(), l.from()) >= 0 && Long.compareUnsigned(e.address(), l.to()) <= 0) {
                return LANE_ROW[i];
            }
        }
        return mmio ? LANE_NAMES.length - 3 : LANE_NAMES.length - 4;
    }

    private static void journal(final StringBuilder h, final Path dir, final String prefix) {
        final List<Boot> boots = new ArrayList<>();
        Boot cur = new Boot();
        boots.add(cur);
        long total = 0;
        try (JournalReader r = JournalReader.open(dir).withoutDigest()) {
            final EventRecord e = new EventRecord();
            while (r.next(e)) {
                total++;
                if (cur.start < 0) {
                    cur.start = e.cycles();
                }
                cur.end = e.cycles();
                if (cur.marks.size() < 200_000) {
                    cur.marks.add(new long[] {lane(e), e.cycles()});
                }
                if (e.kind() == EventKind.PIO_WRITE && e.address() == 0x402 && cur.debugcon.length() < 20_000) {
                    cur.debugcon.append((char) (e.value() & 0xFF));
                }
                if (e.kind() == EventKind.TRIPLE_FAULT || e.kind() == EventKind.POWER_OFF || e.kind() == EventKind.HALT
                        || e.kind() == EventKind.TIME_LIMIT || e.kind() == EventKind.INSN_LIMIT) {
                    cur.ending = EventFormatter.text(e);
                }
                if (e.kind() == EventKind.RESET) {
                    cur.ending = cur.ending.isEmpty() ? EventFormatter.text(e) : cur.ending + "; " + EventFormatter.text(e);
                    cur = new Boot();
                    boots.add(cur);
                }
            }
            if (!r.complete()) {
                cur.ending = "journal cut off (the recording was interrupted)";
            }
        }
        if (cur.start < 0) {
            boots.remove(cur);
        }
        h.append("<p>").append(esc(prefix)).append(total).append(" events, ").append(boots.size()).append(" boot(s); journal ")
                .append(esc(dir.toString())).append("</p>\n");
        int n = 1;
        for (final Boot b : boots) {
            h.append("<h2>").append(esc(prefix)).append("boot ").append(n++).append("</h2>\n");
            svg(h, b);
            h.append("<p>ended: ").append(esc(b.ending.isEmpty() ? "(still running)" : b.ending)).append("</p>\n");
            if (b.debugcon.length() > 0) {
                h.append("<pre>").append(esc(b.debugcon.toString())).append("</pre>\n");
            }
        }
    }

    /** Events of one boot by device lane over its virtual time, one tick per pixel column that had events. */
    private static void svg(final StringBuilder h, final Boot b) {
        final int width = 900;
        final int left = 90;
        final int row = 16;
        final int height = row * LANE_NAMES.length + 24;
        final long span = Math.max(1, b.end - b.start);
        final boolean[][] hit = new boolean[LANE_NAMES.length][width - left];
        for (final long[] m : b.marks) {
            final int x = (int) Math.min(width - left - 1, (m[1] - b.start) * (width - left - 1) / span);
            hit[(int) m[0]][x] = true;
        }
        h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"events by device over virtual time\">\n");
        for (int l = 0; l < LANE_NAMES.length; l++) {
            final int y = 4 + l * row;
            h.append("<text x=\"4\" y=\"").append(y + 11).append("\" font-size=\"11\">").append(esc(LANE_NAMES[l])).append("</text>");
            for (int x = 0; x < width - left; x++) {
                if (hit[l][x]) {
                    h.append("<rect x=\"").append(left + x).append("\" y=\"").append(y + 2).append("\" width=\"1\" height=\"").append(row - 4)
                            .append("\" fill=\"").append(l == LANE_NAMES.length - 1 ? "#c0392b" : "#2c6fbb").append("\"/>");
                }
            }
            h.append('\n');
        }
        h.append("<text x=\"").append(left).append("\" y=\"").append(height - 4).append("\" font-size=\"11\">")
                .append(esc(Durations.format(b.start))).append("</text><text x=\"").append(width - 4).append("\" y=\"").append(height - 4)
                .append("\" font-size=\"11\" text-anchor=\"end\">").append(esc(Durations.format(b.end))).append("</text>\n</svg>\n");
    }

    private static String esc(final String s) {
        final StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        b.append('.');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
