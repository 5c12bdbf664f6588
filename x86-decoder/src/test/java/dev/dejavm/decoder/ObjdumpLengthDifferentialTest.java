package dev.dejavm.decoder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test against GNU objdump (binutils, an independent decoder): objdump disassembles real code by
 * linear sweep; at every address where objdump starts an instruction, dejavm's decoder must report the same
 * length, and "(bad)" exactly where dejavm reports an invalid encoding.
 */
class ObjdumpLengthDifferentialTest {
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} )+)\\s*\\t?(.*)$");

    record Disagreement(long address, String bytes, String objdump, int ourLength, int ourStatus) {
        @Override
        public String toString() {
            return String.format("0x%x: %s objdump '%s' (len %d), dejavm len %d status %s", address, bytes, objdump,
                    bytes.split(" ").length, ourLength, DecodeStatus.name(ourStatus));
        }
    }

    static String exec(final Path dir, final List<String> cmd) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    static int lastCompared;

    static List<Disagreement> compare(final Path dir, final byte[] code, final int mode, final int limitLines) throws Exception {
        final Path bin = dir.resolve("code.bin");
        Files.write(bin, code);
        final List<String> cmd = new ArrayList<>(List.of("objdump", "-D", "-b", "binary", "--insn-width=16",
                "-m", mode == 64 ? "i386:x86-64" : "i386"));
        if (mode == 16) {
            cmd.add("-M");
            cmd.add("data16,addr16");
        } else if (mode == 64) {
            cmd.add("-M");
            cmd.add("intel64"); // Intel's 64-bit semantics (66 does not shorten near branches), as the CPU dejavm models
        }
        cmd.add(bin.toString());
        final String out = exec(dir, cmd);
        final Decoder decoder = new Decoder();
        final DecodedInsn d = new DecodedInsn();
        final List<Disagreement> bad = new ArrayList<>();
        int lines = 0;
        for (final String line : out.split("\n")) {
            final Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            if (++lines > limitLines) {
                break;
            }
            final long addr = Long.parseLong(m.group(1), 16);
            final String bytes = m.group(2).trim();
            final int len = bytes.split(" ").length;
            final String text = m.group(3).trim();
            final boolean objBad = text.contains("(bad)") || text.isEmpty() || text.startsWith(".byte"); // .byte: ran out of input
            final int status = decoder.decode(code, (int) addr, code.length, mode, d);
            final boolean ourBad = status != DecodeStatus.OK;
            if (objBad != ourBad || (!objBad && d.length != len)) {
                bad.add(new Disagreement(addr, bytes, text, d.length, status));
            }
        }
        lastCompared = Math.min(lines, limitLines);
        return bad;
    }

    static byte[] textSection(final Path dir, final Path elf) throws Exception {
        final Path out = dir.resolve("text.bin");
        exec(dir, List.of("objcopy", "-O", "binary", "--only-section=.text", elf.toString(), out.toString()));
        return Files.readAllBytes(out);
    }

    @Test
    void shouldAgreeWithObjdumpOnSystemCode(@TempDir final Path dir) throws Exception {
        final List<Disagreement> all = new ArrayList<>();
        int total = 0;
        for (final String elf : new String[] {"/usr/bin/objdump", "/usr/bin/bash"}) {
            final Path p = Path.of(elf);
            if (!Files.exists(p)) {
                continue;
            }
            final byte[] text = textSection(dir, p);
            final List<Disagreement> d = compare(dir, text, 64, 200_000);
            all.addAll(d);
            total += lastCompared;
        }
        assertTrue(total > 100_000, "compared only " + total);
        assertTrue(all.isEmpty(), all.size() + " disagreements, first:\n" + String.join("\n",
                all.stream().limit(40).map(Disagreement::toString).toList()));
    }

    /** The category of a disagreement (see known-disagreements.txt), or null if it fits none. */
    static String classify(final Disagreement x, final int mode) {
        final String[] b = x.bytes().split(" ");
        final String text = x.objdump();
        int i = 0;
        while (i < b.length && (b[i].matches("66|67|f2|f3|f0|2e|3e|26|36|64|65") || (mode == 64 && b[i].matches("4[0-9a-f]")))) {
            i++;
        }
        final String op = i < b.length ? b[i] : "";
        final String op2 = i + 1 < b.length ? b[i + 1] : "";
        final boolean ourInvalid = x.ourStatus() != DecodeStatus.OK;
        if (text.startsWith("rex") || text.matches("(\\S+ )*rex(\\.[WRXB]+)?")) {
            return "objdump-rex";
        }
        if ((op.equals("c4") || op.equals("c5")) && ourInvalid && i > 0 && !text.contains("(bad)")
                && java.util.Arrays.stream(b, 0, i).anyMatch(t -> t.matches("66|f2|f3|f0|4[0-9a-f]"))) {
            return "objdump-vex-prefix";
        }
        if ((text.startsWith("lock") || text.contains(" lock ")) && ourInvalid) {
            return "objdump-lock";
        }
        if (op.equals("62") && (mode == 64 || i + 1 < b.length && b[i + 1].matches("[c-f][0-9a-f]"))
                && (x.ourStatus() == DecodeStatus.OK) != !text.contains("(bad)")) {
            return "gap-evex";
        }
        if (op.equals("9b") && x.ourLength() == i + 1 && !ourInvalid) {
            return "objdump-fwait";
        }
        if (op.equals("0f") && (op2.equals("20") || op2.equals("22")) && ourInvalid && text.matches("mov\\s+.*%cr[0-9]+.*")) {
            return "objdump-control-registers";
        }
        if (x.bytes().equals("db e5") && ourInvalid) {
            return "objdump-287";
        }
        if ((op.equals("8c") || op.equals("8e")) && ourInvalid) {
            return "objdump-sreg";
        }
        if (op.equals("0f") && (op2.equals("24") || op2.equals("26")) && ourInvalid) {
            return "objdump-test-registers";
        }
        if (!ourInvalid && text.contains("(bad)") && (op.equals("d6") || x87Alias(op, op2))) {
            return "objdump-undocumented";
        }
        if (ourInvalid && !text.contains("(bad)") && amdOnly(text, op, b, i)) {
            return "amd-only";
        }
        if (ourInvalid && RECENT.matcher(text).matches()) {
            return "gap-recent";
        }
        if ((op.equals("c4") || op.equals("c5")) && !ourInvalid) {
            return "gap-vex";
        }
        if (op.equals("0f") && !ourInvalid && text.contains("(bad)")) {
            return "gap-sse-prefix";
        }
        return null;
    }

    private static final Pattern AMD_MNEMONICS = Pattern.compile(
            "(femms|pf\\w+|pi2f[dw]|pavgusb|pmulhrw|pswapd|extrq|insertq|movnts[sd]|vmrun\\w*|vmload\\w*|vmsave\\w*|vmmcall"
            + "|stgi|clgi|skinit|invlpga\\w*|invlpgb|tlbsync|clzero\\w*|monitorx|mwaitx|rdpru|llwpcb|slwpcb|lwpins|lwpval"
            + "|blc\\w+|bls(fill|ic)|t1mskc|tzmsk|bextr\\s.*\\$.*)\\b.*");

    private static final Pattern RECENT = Pattern.compile(
            "(\\w+\\s+)?(vpdp[bw][su][su]ds?|vpmadd52[hl]uq|vbcstnes[hs]2ps|vcvtne\\w+|vcvtneps2bf16|cmp\\w*xadd|"
            + "vsha512\\w*|vsm3\\w*|vsm4\\w*|tileloadd\\w*|tilestored|tilerelease|tilezero|ldtilecfg|sttilecfg|tdp\\w+)\\b.*");

    /** The reserved x87 register forms that execute as aliases (D9 D8+i, DC D0-DF, DD C8+i, DE D0+i, DF C8-DF). */
    static boolean x87Alias(final String op, final String modrm) {
        if (modrm.isEmpty()) {
            return false;
        }
        final int m = Integer.parseInt(modrm, 16);
        return switch (op) {
            case "d9" -> m >= 0xD8 && m <= 0xDF;
            case "dc" -> m >= 0xD0 && m <= 0xDF;
            case "dd" -> m >= 0xC8 && m <= 0xCF;
            case "de" -> m >= 0xD0 && m <= 0xD7;
            case "df" -> m >= 0xC8 && m <= 0xDF;
            default -> false;
        };
    }

    /** AMD-only encodings (3DNow!, SSE4a, SVM, XOP, FMA4, TBM, LWP...): an Intel CPU raises #UD for them. */
    static boolean amdOnly(final String text, final String op, final String[] b, final int i) {
        if (op.equals("8f")) {
            return true; // XOP (8F with ModRM.reg != 0)
        }
        if (op.equals("c4") && i + 3 < b.length && (Integer.parseInt(b[i + 1], 16) & 0x1F) == 3) {
            final int opc = Integer.parseInt(b[i + 3], 16);
            if (opc >= 0x5C && opc <= 0x7F || opc == 0x48 || opc == 0x49) {
                return true; // FMA4, VPERMIL2PS/PD
            }
        }
        final String mnemonic = text.replaceFirst("^(\\w+\\s+)?(rep[nez]*\\s+)?", "");
        return AMD_MNEMONICS.matcher(text).matches() || AMD_MNEMONICS.matcher(mnemonic).matches();
    }

    static java.util.Set<String> knownCategories() throws IOException {
        try (var in = ObjdumpLengthDifferentialTest.class.getResourceAsStream("/known-disagreements.txt")) {
            final java.util.Set<String> out = new java.util.TreeSet<>();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.substring(0, line.indexOf('|')).trim());
                }
            }
            return out;
        }
    }

    private static void assertAllKnown(final String what, final List<Disagreement> d, final int mode) throws IOException {
        final java.util.Set<String> known = knownCategories();
        final java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
        final List<Disagreement> unknown = new ArrayList<>();
        for (final Disagreement x : d) {
            final String c = classify(x, mode);
            if (c == null || !known.contains(c)) {
                unknown.add(x);
            } else {
                counts.merge(c, 1, Integer::sum);
            }
        }
        System.out.println(what + ": compared " + lastCompared + ", accepted disagreements " + counts);
        assertTrue(unknown.isEmpty(), what + ": " + unknown.size() + " unexplained disagreements, first:\n"
                + String.join("\n", unknown.stream().limit(30).map(Disagreement::toString).toList()));
    }

    @Test
    void shouldAgreeWithObjdumpOnRandomBytesExceptKnownCategories(@TempDir final Path dir) throws Exception {
        for (final int mode : new int[] {16, 32, 64}) {
            final java.util.Random rnd = new java.util.Random(0xDEC0DE + mode);
            final byte[] code = new byte[200_000];
            rnd.nextBytes(code);
            assertAllKnown("random bytes, " + mode + "-bit", compare(dir, code, mode, 1_000_000), mode);
            assertTrue(lastCompared > 50_000);
        }
    }

    @Test
    void shouldAgreeWithObjdumpOnSeabiosExceptKnownCategories(@TempDir final Path dir) throws Exception {
        final Path seabios = Path.of("/usr/share/seabios/bios-256k.bin");
        assertTrue(Files.exists(seabios), "Debian's seabios package is needed (./test.sh installs it)");
        final byte[] code = Files.readAllBytes(seabios);
        for (final int mode : new int[] {16, 32}) {
            assertAllKnown("SeaBIOS as " + mode + "-bit code", compare(dir, code, mode, 1_000_000), mode);
        }
    }
}
