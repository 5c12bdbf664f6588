package dev.dejavm.decoder.oracle;

import dev.dejavm.decoder.DecodeStatus;
import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Decoder;
import dev.dejavm.decoder.Formatter;
import dev.dejavm.decoder.OperandKind;
import dev.dejavm.decoder.Prefix;
import dev.dejavm.decoder.gen.Mnemonic;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares dejavm's decoder with Zydis on one instruction: status and length always; mnemonic and operands when both
 * decode it, after the normalisation documented in {@code zydis-known-disagreements.txt}:
 * <ul>
 *   <li>Operands: dejavm lists the operands it displays; Zydis's explicit operands must all be among them, in order;
 *       Zydis's implicit (visible) operands may be left out (e.g. {@code st0} of {@code fld st(i)}), and its hidden
 *       ones are ignored. String instructions' {@code [rsi]}/{@code es:[rdi]} are compared by kind only.</li>
 *   <li>Registers by name ({@code st(3)} is Zydis's {@code st3}); memory by segment, base, index, scale, displacement
 *       and size (when both give one); immediates modulo Zydis's encoded width; branches by displacement.</li>
 *   <li>Mnemonics through {@link #MNEMONIC_ALIASES}, the few places where Zydis's spelling differs.</li>
 * </ul>
 * A disagreement is returned as a one-line description with a category (see {@link #classify}).
 */
public final class ZydisComparator implements AutoCloseable {
    /** dejavm mnemonic -> Zydis mnemonic, where the spelling differs for the same instruction. */
    static final Map<String, String> MNEMONIC_ALIASES = Map.ofEntries(
        Map.entry("retf", "ret"),
        Map.entry("fnsetpm", "fsetpm287_nop"),
        Map.entry("fneni", "feni8087_nop"),
        Map.entry("fndisi", "fdisi8087_nop"));

    private final int mode;
    private final ZydisOracle zydis;
    private final Decoder decoder = new Decoder();
    private final DecodedInsn ours = new DecodedInsn();
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment window = arena.allocate(16);
    private final byte[] bytes = new byte[16];
    private final StringBuilder text = new StringBuilder();
    private final boolean compareOperands;
    public long compared;
    public long operandsCompared;

    public ZydisComparator(final int mode, final boolean compareOperands) {
        this.mode = mode;
        this.zydis = new ZydisOracle(mode);
        this.compareOperands = compareOperands;
    }

    /** A disagreement: category (null if unexplained) and description. */
    public record Disagreement(String category, String description) {
    }

    /** Compares the instruction at {@code code[off..off+avail)}; null if they agree. */
    public Disagreement compare(final byte[] code, final int off, final int avail) {
        final int n = Math.min(15, avail);
        System.arraycopy(code, off, bytes, 0, n);
        MemorySegment.copy(bytes, 0, window, ValueLayout.JAVA_BYTE, 0, n);
        decoder.decode(bytes, 0, n, mode, ours);
        final int zr = zydis.decodeLength(window, 0, n);
        compared++;
        final int zStatus = zydis.lastStatus();
        final int zLen = zr > 0 ? zr : 0;
        if (zStatus != ours.status || (zStatus == DecodeStatus.OK && zLen != ours.length)) {
            return disagreement("status/length", n);
        }
        if (zStatus != DecodeStatus.OK || !compareOperands || (ours.prefixes & Prefix.EVEX) != 0) {
            return null;
        }
        operandsCompared++;
        final ZydisOracle.Insn z = zydis.decode(bytes, 0, n);
        final String mine = Mnemonic.name(ours.mnemonic);
        final String theirs = z.mnemonic();
        if (!MNEMONIC_ALIASES.getOrDefault(mine, mine).equals(theirs) && !mnemonicEquivalent(mine, theirs)) {
            return disagreement("mnemonic", n);
        }
        final String why = operands(z);
        return why == null ? null : disagreement("operands: " + why, n);
    }

    /** Spellings that differ only in a documented way (condition-code synonyms Zydis does not use). */
    private boolean mnemonicEquivalent(final String mine, final String theirs) {
        // D9 D8+i, the reserved alias of FSTP ST(i): Zydis names it fstpnce.
        return mine.equals("fstp") && theirs.equals("fstpnce") && ours.map == 0 && ours.opcode == 0xD9;
    }

    private String operands(final ZydisOracle.Insn z) {
        int shown = Formatter.operandsShown(ours) ? ours.numOperands : 0;
        if (shown > 0 && ours.opKind[shown - 1] == OperandKind.REG && ours.opReg[shown - 1] == dev.dejavm.decoder.Reg.XMM0
                && (ours.map == 2 && (ours.opcode == 0x10 || ours.opcode == 0x14 || ours.opcode == 0x15 || ours.opcode == 0xCB))) {
            shown--; // the implicit <XMM0> of BLENDV*, PBLENDVB and SHA256RNDS2, which Zydis hides
        }
        int k = 0;
        final List<ZydisOracle.Operand> zo = z.operands();
        for (int j = 0; j < zo.size(); j++) {
            final ZydisOracle.Operand o = zo.get(j);
            int explicitLeft = 0;
            for (int m = j + 1; m < zo.size(); m++) {
                explicitLeft += zo.get(m).explicit() ? 1 : 0;
            }
            // An implicit operand is matched only while ours has room for the explicit ones after it.
            if (k < shown && (o.explicit() || shown - k > explicitLeft) && matches(k, o)) {
                k++;
            } else if (o.explicit()) {
                return "zydis operand " + o.type() + (o.reg() != null ? " " + o.reg() : "") + " not matched at our operand " + k;
            }
        }
        return k == shown ? null : "our operand " + k + " has no zydis counterpart";
    }

    private boolean matches(final int i, final ZydisOracle.Operand o) {
        final int kind = ours.opKind[i];
        switch (o.type()) {
            case "reg" -> {
                if (kind != OperandKind.REG) {
                    return false;
                }
                text.setLength(0);
                Formatter.register(ours.opReg[i], ours.operandSize[i], text);
                final String name = text.toString().replace("(", "").replace(")", "");
                return name.equals(o.reg());
            }
            case "mem" -> {
                if (kind == OperandKind.STR_SRC || kind == OperandKind.STR_DST) {
                    return true;
                }
                if (kind != OperandKind.MEM && kind != OperandKind.MOFFS) {
                    return false;
                }
                if (ours.operandSize[i] != 0 && o.sizeBits() != 0 && ours.operandSize[i] != o.sizeBits()
                        && !"vsib".equals(o.memType())) {
                    return false;
                }
                final String seg = segName(ours.segment);
                if (o.segment() != null && !"agen".equals(o.memType()) && !o.segment().equals(seg)) {
                    return false;
                }
                if (!same(ours.base, o.base()) || !same(ours.index, o.index())) {
                    return false;
                }
                if (ours.index != dev.dejavm.decoder.Reg.NONE && o.scale() != ours.scale) {
                    return false;
                }
                final long mask = ours.addrSize == 64 ? -1L : (1L << ours.addrSize) - 1;
                return ((ours.disp - (o.hasDisp() ? o.disp() : 0)) & mask) == 0;
            }
            case "imm" -> {
                if (kind == OperandKind.CONST) {
                    return o.imm() == ours.opReg[i];
                }
                if (kind == OperandKind.REL) {
                    return o.immRelative() && o.imm() == ours.imm;
                }
                if (kind != OperandKind.IMM) {
                    return false;
                }
                final long mine = i > 0 && ours.opKind[i - 1] == OperandKind.IMM ? ours.imm2 : ours.imm;
                final long mask = o.sizeBits() >= 64 || o.sizeBits() == 0 ? -1L : (1L << o.sizeBits()) - 1;
                return ((mine ^ o.imm()) & mask) == 0;
            }
            case "ptr" -> {
                return kind == OperandKind.PTR && o.ptrSegment() == ours.imm2 && o.ptrOffset() == ours.imm;
            }
            default -> {
                return false;
            }
        }
    }

    private boolean same(final int reg, final String zydisName) {
        if (reg == dev.dejavm.decoder.Reg.NONE) {
            return zydisName == null;
        }
        text.setLength(0);
        final int bits = reg >= dev.dejavm.decoder.Reg.XMM0 ? 128 : ours.addrSize;
        Formatter.register(reg, bits, text);
        return text.toString().equals(zydisName);
    }

    private static String segName(final int s) {
        return s < 0 ? null : new String[] {"es", "cs", "ss", "ds", "fs", "gs"}[s];
    }

    private Disagreement disagreement(final String what, final int n) {
        final String hex = HexFormat.ofDelimiter(" ").formatHex(bytes, 0, n);
        final ZydisOracle.Insn z = zydis.decode(bytes, 0, n);
        final String desc = String.format(Locale.ROOT, "%d-bit %s: %s | dejavm %s len %d '%s' | zydis %s len %d '%s' [%s/%s %s]",
            mode, what, hex, DecodeStatus.name(ours.status), ours.length, Formatter.format(ours, 0),
            DecodeStatus.name(z.status()), z.length(), z.formatted(), z.isaExt(), z.isaSet(), z.encoding());
        return new Disagreement(classify(z), desc);
    }

    /** The category of the current disagreement (see zydis-known-disagreements.txt), or null. */
    private String classify(final ZydisOracle.Insn z) {
        final boolean oursOk = ours.status == DecodeStatus.OK;
        final boolean theirsOk = z.status() == DecodeStatus.OK;
        if ((ours.prefixes & Prefix.EVEX) != 0 && oursOk && !theirsOk) {
            return "evex-length-only";
        }
        if (oursOk && theirsOk && ours.mode == 64 && ours.addrSize == 32 && (ours.rex & 1) != 0 && ours.mod == 0
                && ours.sibIndex >= 0 && ours.base == dev.dejavm.decoder.Reg.NONE) {
            return "zydis-sib-no-base-addr32";
        }
        if (oursOk && theirsOk && (ours.prefixes & Prefix.SEG) != 0 && ours.map == 0 && ours.opcode == 0xFF
                && ((ours.reg & 7) == 2 || (ours.reg & 7) == 4) && ours.segOverride == 3) {
            return "zydis-notrack-segment";
        }
        if (oursOk && theirsOk && "wbnoinvd".equals(Mnemonic.name(ours.mnemonic)) && "wbinvd".equals(z.mnemonic())) {
            return "zydis-wbnoinvd";
        }
        if (oursOk && theirsOk && ours.map == 1 && (ours.opcode == 0x1A || ours.opcode == 0x1B) && ours.mod == 3
                && "nop".equals(z.mnemonic())) {
            return "zydis-reserved-nop-register";
        }
        if (!oursOk && theirsOk && z.isaExt() != null) {
            final String ext = z.isaExt();
            if ("evex".equals(z.encoding()) || "mvex".equals(z.encoding())) {
                return oursOk ? null : "evex-length-only";
            }
            if (ext.matches("amd3dnow.*|sse4a|xop|fma4|tbm|svm|clzero|monitorx|rdpru|lwp|amd_invlpgb|snp|rmpquery|mcommit")) {
                return "amd-only";
            }
            if (ext.startsWith("knc")) {
                return "zydis-knc";
            }
            if (ext.matches("padlock.*")) {
                return "via-only";
            }
            if (ext.matches("amx.*")) {
                return "not-decoded-amx";
            }
            if (ext.matches("keylocker.*")) {
                return "not-decoded-keylocker";
            }
        }
        return null;
    }

    /** Tallies categories of disagreements and keeps the first unexplained ones. */
    public static final class Tally {
        public final Map<String, Long> counts = new TreeMap<>();
        public final java.util.List<String> unexplained = new java.util.ArrayList<>();
        public final Map<String, String> examples = new TreeMap<>();
        public long unexplainedCount;

        public void add(final Disagreement d) {
            if (d == null) {
                return;
            }
            if (d.category() == null) {
                unexplainedCount++;
                if (unexplained.size() < 40) {
                    unexplained.add(d.description());
                }
            } else {
                counts.merge(d.category(), 1L, Long::sum);
                examples.putIfAbsent(d.category(), d.description());
            }
        }
    }

    @Override
    public void close() {
        zydis.close();
        arena.close();
    }
}
