package dev.dejavm.decoder.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates {@code dev.dejavm.decoder.gen.Mnemonic} and {@code dev.dejavm.decoder.gen.OpcodeTable} from the opcode
 * table {@code opcodes.tsv}, the single source of instruction ids, mnemonics, operand forms and ISA extensions.
 *
 * <p>Run by the build (exec-maven-plugin, generate-sources) as a single-file program:
 * {@code java OpcodeTableGen.java opcodes.tsv OUTPUT_DIR}. The grammar of the table is described in its header.
 * Every row is validated; an error names the line and the build fails.
 */
public final class OpcodeTableGen {
    // Maps, as numbered in the generated tables.
    static final String[] MAPS = {"1b", "0f", "0f38", "0f3a", "v0f", "v0f38", "v0f3a"};

    // Operand addressing methods (kept in sync with dev.dejavm.decoder.Operands).
    static final Map<String, Integer> METHODS = new LinkedHashMap<>();
    // Size codes (kept in sync with dev.dejavm.decoder.Operands).
    static final Map<String, Integer> SIZES = new LinkedHashMap<>();
    // Fixed-register operands: token -> method FIXED with the register number and size.
    static final Map<String, int[]> FIXED = new LinkedHashMap<>();

    static {
        final String[] methods = {"", "E", "G", "M", "R", "Z", "B", "S", "C", "D", "I", "Is", "J", "A", "O", "X", "Y",
            "P", "Q", "N", "V", "W", "U", "H", "L", "ST", "FIX", "ONE", "VMv", "VMx", "VMy", "K", "KR", "KW", "KH"};
        for (int i = 1; i < methods.length; i++) {
            METHODS.put(methods[i], i);
        }
        final String[] sizes = {"", "b", "w", "d", "q", "dq", "qq", "t", "v", "z", "y", "x", "h", "qx", "ex", "p",
            "s", "a", "env", "fst", "fx", "xs", "n", "bnd", "r", "xq", "as"};
        for (int i = 1; i < sizes.length; i++) {
            SIZES.put(sizes[i], i);
        }
        final String[] gpr8 = {"al", "cl", "dl", "bl"};
        for (int i = 0; i < gpr8.length; i++) {
            FIXED.put(gpr8[i], new int[] {i, SIZES.get("b")});
        }
        FIXED.put("ax", new int[] {0, SIZES.get("w")});
        FIXED.put("dx", new int[] {2, SIZES.get("w")});
        FIXED.put("eax", new int[] {0, SIZES.get("d")});
        FIXED.put("rAX", new int[] {0, SIZES.get("v")});
        FIXED.put("eAX", new int[] {0, SIZES.get("z")});
        FIXED.put("rCX", new int[] {1, SIZES.get("v")});
        FIXED.put("rDX", new int[] {2, SIZES.get("v")});
        final String[] segs = {"es", "cs", "ss", "ds", "fs", "gs"};
        for (int i = 0; i < segs.length; i++) {
            FIXED.put(segs[i], new int[] {24 + i, SIZES.get("w")});
        }
        FIXED.put("st0", new int[] {104, SIZES.get("t")});
        FIXED.put("xmm0", new int[] {64, SIZES.get("dq")});
    }

    // Match-word fields (kept in sync with dev.dejavm.decoder.Decoder).
    static final int PFX_ANY = 0, PFX_NP = 1, PFX_66 = 2, PFX_F3 = 3, PFX_F2 = 4, PFX_NF = 5;

    record Row(int line, int map, int opcode, int pfx, int mod, int reg, int rm, boolean hasModrm, int mode, int w,
               int l, int osz, int asz, int sizeRule, boolean rexB0, boolean lock, boolean rep, boolean repcc, String mnemonic,
               int[] ops, String isa, String text) {
        int specificity() {
            return (pfx != PFX_ANY ? 32 : 0) + (rm != 8 ? 8 : 0) + (reg != 8 ? 4 : 0) + (mod != 0 ? 2 : 0)
                + (mode != 0 ? 1 : 0) + (rexB0 ? 1 : 0) + (w != 0 ? 1 : 0) + (l != 0 ? 1 : 0) + (osz != 0 ? 1 : 0) + (asz != 0 ? 1 : 0);
        }
    }

    private static IllegalArgumentException error(final Path file, final int line, final String msg) {
        return new IllegalArgumentException(file + ":" + line + ": " + msg);
    }

    public static void main(final String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: OpcodeTableGen opcodes.tsv OUTPUT_DIR");
            System.exit(2);
        }
        final Path table = Path.of(args[0]);
        final Path out = Path.of(args[1]);
        final List<Row> rows = parse(table);
        final Path pkg = out.resolve("dev/dejavm/decoder/gen");
        Files.createDirectories(pkg);
        writeIfChanged(pkg.resolve("Mnemonic.java"), mnemonics(rows));
        writeIfChanged(pkg.resolve("OpcodeTable.java"), tables(rows));
        writeIfChanged(pkg.resolve("Spec.java"), spec());
        System.out.println("OpcodeTableGen: " + rows.size() + " forms, "
            + rows.stream().map(Row::mnemonic).distinct().count() + " mnemonics");
    }

    static List<Row> parse(final Path file) throws IOException {
        final List<Row> rows = new ArrayList<>();
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int n = 1; n <= lines.size(); n++) {
            String s = lines.get(n - 1);
            final int hash = s.indexOf('#');
            if (hash >= 0) {
                s = s.substring(0, hash);
            }
            s = s.strip();
            if (s.isEmpty()) {
                continue;
            }
            final String[] f = s.split("\\s+");
            if (f.length != 8) {
                throw error(file, n, "expected 8 columns (map opcode prefix modrm attributes mnemonic operands isa), got " + f.length);
            }
            int map = -1;
            for (int i = 0; i < MAPS.length; i++) {
                if (MAPS[i].equals(f[0])) {
                    map = i;
                }
            }
            if (map < 0) {
                throw error(file, n, "unknown map " + f[0]);
            }
            final boolean plusR = f[1].endsWith("+");
            final int opcode = Integer.parseInt(plusR ? f[1].substring(0, f[1].length() - 1) : f[1], 16);
            if (opcode > 0xFF || (plusR && (opcode & 7) != 0)) {
                throw error(file, n, "bad opcode " + f[1]);
            }
            final int pfx = switch (f[2]) {
                case "-" -> PFX_ANY;
                case "np" -> PFX_NP;
                case "66" -> PFX_66;
                case "f3" -> PFX_F3;
                case "f2" -> PFX_F2;
                case "nf" -> PFX_NF;
                default -> throw error(file, n, "bad prefix " + f[2]);
            };
            int mod = 0, reg = 8, rm = 8;
            boolean hasModrm = true;
            final String m = f[3];
            if (m.equals("-")) {
                hasModrm = false;
            } else if (m.equals("r")) {
                mod = 0;
            } else if (m.equals("m")) {
                mod = 1;
            } else if (m.equals("x")) {
                mod = 2;
            } else if (m.matches("/[0-7][mx]?")) {
                reg = m.charAt(1) - '0';
                mod = m.length() == 3 ? (m.charAt(2) == 'm' ? 1 : 2) : 0;
            } else if (m.matches("[c-f][0-9a-f]")) {
                final int b = Integer.parseInt(m, 16);
                mod = 2;
                reg = (b >> 3) & 7;
                rm = b & 7;
            } else {
                throw error(file, n, "bad ModRM constraint " + m);
            }
            int mode = 0, w = 0, l = 0, osz = 0, asz = 0, sizeRule = 0;
            boolean lock = false, rep = false, repcc = false, rexB0 = false;
            if (!f[4].equals("-")) {
                for (final String a : f[4].split(",")) {
                    switch (a) {
                        case "i64" -> mode = 1;
                        case "o64" -> mode = 2;
                        case "d64" -> sizeRule = 1;
                        case "f64" -> sizeRule = 2;
                        case "lock" -> lock = true;
                        case "B0" -> rexB0 = true;
                        case "rep" -> rep = true;
                        case "repcc" -> repcc = true;
                        case "W0" -> w = 1;
                        case "W1" -> w = 2;
                        case "L0" -> l = 1;
                        case "L1" -> l = 2;
                        case "os16" -> osz = 1;
                        case "os32" -> osz = 2;
                        case "os64" -> osz = 3;
                        case "as16" -> asz = 1;
                        case "as32" -> asz = 2;
                        case "as64" -> asz = 3;
                        default -> throw error(file, n, "unknown attribute " + a);
                    }
                }
            }
            final String mnemonic = f[5];
            if (!mnemonic.matches("[a-z][a-z0-9_]*")) {
                throw error(file, n, "bad mnemonic " + mnemonic);
            }
            final String[] opTokens = f[6].equals("-") ? new String[0] : f[6].split(",");
            if (opTokens.length > 4) {
                throw error(file, n, "more than 4 operands");
            }
            final int[] ops = new int[opTokens.length];
            for (int i = 0; i < ops.length; i++) {
                ops[i] = operand(file, n, opTokens[i]);
            }
            final boolean usesModrm = java.util.Arrays.stream(ops).anyMatch(OpcodeTableGen::usesModrm);
            if (usesModrm && !hasModrm) {
                throw error(file, n, "an operand needs ModRM but the ModRM column is '-'");
            }
            for (final int o : ops) {
                final int meth = o & 0xFF;
                if (meth == METHODS.get("M") || meth == METHODS.get("VMv") || meth == METHODS.get("VMx") || meth == METHODS.get("VMy")) {
                    if (mod == 2) {
                        throw error(file, n, "memory-only operand with a register-only ModRM constraint");
                    }
                    mod = 1;
                }
                if (meth == METHODS.get("R") || meth == METHODS.get("N") || meth == METHODS.get("U") || meth == METHODS.get("ST")
                    || meth == METHODS.get("KR")) {
                    if (mod == 1) {
                        throw error(file, n, "register-only operand with a memory-only ModRM constraint");
                    }
                    mod = 2;
                }
            }
            final boolean vex = map >= 4;
            for (final int o : ops) {
                final int meth = o & 0xFF;
                if ((meth == METHODS.get("H") || meth == METHODS.get("B") || meth == METHODS.get("KH")) && !vex) {
                    throw error(file, n, "VEX.vvvv operand in a legacy map");
                }
            }
            final int count = plusR ? 8 : 1;
            for (int k = 0; k < count; k++) {
                rows.add(new Row(n, map, opcode + k, pfx, mod, reg, rm, hasModrm, mode, w, l, osz, asz, sizeRule, rexB0, lock,
                    rep, repcc, mnemonic, ops, f[7], s));
            }
        }
        // ModRM presence must be a property of (map, opcode).
        final Map<Integer, Row> first = new TreeMap<>();
        for (final Row r : rows) {
            final Row prev = first.putIfAbsent(r.map() << 8 | r.opcode(), r);
            if (prev != null && prev.hasModrm() != r.hasModrm()) {
                throw error(file, r.line(), "ModRM presence differs from line " + prev.line() + " for the same opcode");
            }
        }
        return rows;
    }

    static boolean usesModrm(final int op) {
        final int meth = op & 0xFF;
        for (final String s : new String[] {"E", "G", "M", "R", "S", "C", "D", "P", "Q", "N", "V", "W", "U", "ST", "VMv", "VMx", "VMy", "K", "KR", "KW"}) {
            if (meth == METHODS.get(s)) {
                return true;
            }
        }
        return false;
    }

    /** Operand token to {@code method | regSize << 8 | memSize << 16 | reg << 24}. */
    static int operand(final Path file, final int line, final String tok) {
        if (FIXED.containsKey(tok)) {
            final int[] f = FIXED.get(tok);
            return METHODS.get("FIX") | f[1] << 8 | f[0] << 24;
        }
        if (tok.equals("1")) {
            return METHODS.get("ONE") | SIZES.get("b") << 8;
        }
        if (tok.equals("STi")) {
            return METHODS.get("ST") | SIZES.get("t") << 8;
        }
        if (tok.contains("/")) {
            // Register form and memory form of the ModRM.rm operand with different sizes: "Rd/Mw", "Ud/Mq", "Nq/Mq".
            final String[] p = tok.split("/");
            final int r = operand(file, line, p[0]);
            final int mm = operand(file, line, p[1]);
            final int rm = r & 0xFF;
            final String method = rm == METHODS.get("R") ? "E" : rm == METHODS.get("U") ? "W" : rm == METHODS.get("N") ? "Q" : null;
            if (method == null || (mm & 0xFF) != METHODS.get("M")) {
                throw error(file, line, "split operand must be R/M, U/M or N/M: " + tok);
            }
            return METHODS.get(method) | (r & 0xFF00) | ((mm >> 8) & 0xFF) << 16;
        }
        // Longest method prefix first.
        String best = null;
        for (final String m : METHODS.keySet()) {
            if (m.equals("FIX") || m.equals("ONE")) {
                continue;
            }
            if (tok.startsWith(m) && SIZES.containsKey(tok.substring(m.length())) && (best == null || m.length() > best.length())) {
                best = m;
            }
        }
        if (best == null) {
            // methods without size: M (no size, e.g. LEA), A (far pointer)
            if (tok.equals("M")) {
                return METHODS.get("M") | SIZES.get("n") << 8 | SIZES.get("n") << 16;
            }
            throw error(file, line, "unknown operand " + tok);
        }
        final int size = SIZES.get(tok.substring(best.length()));
        return METHODS.get(best) | size << 8 | size << 16;
    }

    static String constName(final String mnemonic) {
        return mnemonic.toUpperCase(Locale.ROOT);
    }

    static final String HEADER = "// GENERATED from opcodes.tsv by OpcodeTableGen - do not edit\n";

    static String mnemonics(final List<Row> rows) {
        final List<String> names = new ArrayList<>();
        names.add("(bad)");
        rows.stream().map(Row::mnemonic).distinct().sorted().forEach(names::add);
        final StringBuilder b = new StringBuilder(HEADER);
        b.append("package dev.dejavm.decoder.gen;\n\n");
        b.append("/** Mnemonic ids; 0 is an invalid encoding. */\n");
        b.append("public final class Mnemonic {\n");
        b.append("    public static final int INVALID = 0;\n");
        for (int i = 1; i < names.size(); i++) {
            b.append("    public static final int ").append(constName(names.get(i))).append(" = ").append(i).append(";\n");
        }
        b.append("    public static final int COUNT = ").append(names.size()).append(";\n\n");
        b.append("    private static final String[] NAMES = {\n");
        for (final String n : names) {
            b.append("        \"").append(n).append("\",\n");
        }
        b.append("    };\n\n");
        b.append("    private Mnemonic() {\n    }\n\n");
        b.append("    /** The lower-case mnemonic of id {@code m}. */\n");
        b.append("    public static String name(final int m) {\n");
        b.append("        return m >= 0 && m < NAMES.length ? NAMES[m] : \"(bad)\";\n    }\n}\n");
        return b.toString();
    }

    /** Constants for the operand-spec words: addressing methods and size codes. */
    static String spec() {
        final StringBuilder b = new StringBuilder(HEADER);
        b.append("package dev.dejavm.decoder.gen;\n\n");
        b.append("/** Operand-spec codes of {@link OpcodeTable#OPERANDS}: addressing methods (M_*) and size codes (S_*). */\n");
        b.append("public final class Spec {\n");
        for (final Map.Entry<String, Integer> e : METHODS.entrySet()) {
            b.append("    public static final int M_").append(e.getKey().toUpperCase(Locale.ROOT)).append(" = ").append(e.getValue()).append(";\n");
        }
        for (final Map.Entry<String, Integer> e : SIZES.entrySet()) {
            b.append("    public static final int S_").append(e.getKey().toUpperCase(Locale.ROOT)).append(" = ").append(e.getValue()).append(";\n");
        }
        b.append("\n    private Spec() {\n    }\n}\n");
        return b.toString();
    }

    static int matchWord(final Row r) {
        boolean byteOp = false;
        boolean wide = false;
        for (final int o : r.ops()) {
            final int meth = o & 0xFF;
            final int size = (o >> 8) & 0xFF;
            final boolean gprLike = meth == METHODS.get("E") || meth == METHODS.get("G") || meth == METHODS.get("R")
                || meth == METHODS.get("Z") || meth == METHODS.get("O") || meth == METHODS.get("X") || meth == METHODS.get("Y")
                || (meth == METHODS.get("M") && (r.map() == 0))
                || (meth == METHODS.get("FIX") && ((o >>> 24) == 0) && size != SIZES.get("d"));
            if (gprLike && size == SIZES.get("b")) {
                byteOp = true;
            }
            if (gprLike && (size == SIZES.get("v") || size == SIZES.get("z") || size == SIZES.get("y"))) {
                wide = true;
            }
        }
        boolean imm = false;
        for (final int o : r.ops()) {
            final int meth = o & 0xFF;
            for (final String m : new String[] {"I", "Is", "J", "A", "O", "L"}) {
                imm |= meth == METHODS.get(m);
            }
        }
        boolean vvvv = false;
        for (final int o : r.ops()) {
            final int meth = o & 0xFF;
            if (meth == METHODS.get("H") || meth == METHODS.get("B") || meth == METHODS.get("KH")) {
                vvvv = true;
            }
        }
        return r.pfx() | r.mod() << 3 | r.reg() << 5 | r.rm() << 9 | r.mode() << 13 | r.w() << 15 | r.l() << 17
            | r.osz() << 19 | r.asz() << 21 | r.sizeRule() << 23 | (r.lock() ? 1 << 25 : 0)
            | (byteOp && !wide ? 1 << 26 : 0) | (r.rep() ? 1 << 27 : 0) | (r.repcc() ? 1 << 28 : 0)
            | (vvvv ? 1 << 29 : 0) | (r.rexB0() ? 1 << 30 : 0) | (imm ? 1 << 31 : 0);
    }

    /**
     * A form's constraints as a mask test against the instruction's key word, {@code (key & care) == want}:
     * bits 0-3 mandatory prefix one-hot (none, 66, F3, F2), 4 memory form, 5 register form, 6-8 ModRM.rm,
     * 9-11 ModRM.reg (bits 6-11 are ModRM's low six bits), 12 64-bit mode, 13 W, 14 VEX.L, 15 REX.B. Bit 31 of care: operand/address-size constraints
     * remain to be checked.
     */
    static int[] careWant(final Row r) {
        int care = 0, want = 0;
        switch (r.pfx()) {
            case PFX_NP -> { care |= 0xF; want |= 1; }
            case PFX_66 -> { care |= 0xF; want |= 2; }
            case PFX_F3 -> { care |= 0xF; want |= 4; }
            case PFX_F2 -> { care |= 0xF; want |= 8; }
            case PFX_NF -> care |= 0xC;
            default -> { }
        }
        if (r.mod() == 1) { care |= 1 << 4; want |= 1 << 4; }
        if (r.mod() == 2) { care |= 1 << 5; want |= 1 << 5; }
        if (r.rm() != 8) { care |= 7 << 6; want |= r.rm() << 6; }
        if (r.reg() != 8) { care |= 7 << 9; want |= r.reg() << 9; }
        if (r.mode() == 1) { care |= 1 << 12; }
        if (r.mode() == 2) { care |= 1 << 12; want |= 1 << 12; }
        if (r.w() == 1) { care |= 1 << 13; }
        if (r.w() == 2) { care |= 1 << 13; want |= 1 << 13; }
        if (r.l() == 1) { care |= 1 << 14; }
        if (r.l() == 2) { care |= 1 << 14; want |= 1 << 14; }
        if (r.rexB0()) { care |= 1 << 15; }
        if (r.osz() != 0 || r.asz() != 0) { care |= 1 << 31; }
        return new int[] {care, want};
    }

    static String tables(final List<Row> rows) {
        // Group by (map, opcode), most specific form first, table order among equals.
        final Map<Integer, List<Row>> groups = new TreeMap<>();
        for (final Row r : rows) {
            groups.computeIfAbsent(r.map() << 8 | r.opcode(), k -> new ArrayList<>()).add(r);
        }
        final List<Row> ordered = new ArrayList<>();
        final int[] slot = new int[MAPS.length * 256];
        final List<String> names = new ArrayList<>();
        names.add("(bad)");
        rows.stream().map(Row::mnemonic).distinct().sorted().forEach(names::add);
        for (final Map.Entry<Integer, List<Row>> g : groups.entrySet()) {
            final List<Row> list = new ArrayList<>(g.getValue());
            list.sort(Comparator.comparingInt(Row::specificity).reversed());
            if (list.size() > 255) {
                throw new IllegalArgumentException("too many forms for one opcode: " + Integer.toHexString(g.getKey()));
            }
            slot[g.getKey()] = (ordered.size() + 1) << 9 | list.size() << 1 | (list.get(0).hasModrm() ? 1 : 0);
            ordered.addAll(list);
        }
        final StringBuilder data = new StringBuilder();
        // Entry 0 is the invalid form.
        final int n = ordered.size() + 1;
        final int[] match = new int[n];
        final int[] mnem = new int[n];
        final int[] ops = new int[n * 4];
        final int[] nops = new int[n];
        final String[] isa = new String[n];
        final int[] line = new int[n];
        final int[] care = new int[n];
        final int[] want = new int[n];
        isa[0] = "none";
        for (int i = 1; i < n; i++) {
            final Row r = ordered.get(i - 1);
            match[i] = matchWord(r);
            mnem[i] = names.indexOf(r.mnemonic());
            nops[i] = r.ops().length;
            for (int k = 0; k < r.ops().length; k++) {
                ops[i * 4 + k] = r.ops()[k];
            }
            isa[i] = r.isa();
            line[i] = r.line();
            final int[] cw = careWant(r);
            care[i] = cw[0];
            want[i] = cw[1];
        }
        final List<String> isas = new ArrayList<>();
        for (final String s : isa) {
            if (!isas.contains(s)) {
                isas.add(s);
            }
        }
        final int[] isaId = new int[n];
        for (int i = 0; i < n; i++) {
            isaId[i] = isas.indexOf(isa[i]);
        }
        final StringBuilder b = new StringBuilder(HEADER);
        b.append("package dev.dejavm.decoder.gen;\n\n");
        b.append("/**\n * Decoding tables: per (map, opcode) a slot {@code first << 9 | count << 1 | hasModrm} into the form arrays,\n");
        b.append(" * forms ordered most specific first. Form 0 is the invalid form.\n */\n");
        b.append("public final class OpcodeTable {\n");
        b.append("    public static final int FORMS = ").append(n).append(";\n");
        b.append("    public static final int[] SLOT = ints(").append(chunks(encode(slot))).append(");\n");
        b.append("    public static final int[] MATCH = ints(").append(chunks(encode(match))).append(");\n");
        b.append("    /** Constraint test per form: {@code (key & CARE[f]) == WANT[f]} (see OpcodeTableGen.careWant). */\n");
        b.append("    public static final int[] CARE = ints(").append(chunks(encode(care))).append(");\n");
        b.append("    public static final int[] WANT = ints(").append(chunks(encode(want))).append(");\n");
        b.append("    public static final int[] MNEMONIC = ints(").append(chunks(encode(mnem))).append(");\n");
        b.append("    public static final int[] OPERAND_COUNT = ints(").append(chunks(encode(nops))).append(");\n");
        b.append("    /** Four operand specs per form: {@code method | regSize << 8 | memSize << 16 | fixedReg << 24}. */\n");
        b.append("    public static final int[] OPERANDS = ints(").append(chunks(encode(ops))).append(");\n");
        b.append("    public static final int[] ISA = ints(").append(chunks(encode(isaId))).append(");\n");
        b.append("    /** Line of opcodes.tsv that defines each form. */\n");
        b.append("    public static final int[] LINE = ints(").append(chunks(encode(line))).append(");\n");
        b.append("    public static final String[] ISA_NAMES = {");
        for (final String s : isas) {
            b.append('"').append(s).append("\", ");
        }
        b.append("};\n\n");
        b.append("    private OpcodeTable() {\n    }\n\n");
        b.append("    private static int[] ints(final String... parts) {\n");
        b.append("        final String s = String.join(\"\", parts);\n");
        b.append("        final int[] a = new int[s.length() / 8];\n");
        b.append("        for (int i = 0; i < a.length; i++) {\n");
        b.append("            a[i] = Integer.parseUnsignedInt(s, 8 * i, 8 * i + 8, 16);\n");
        b.append("        }\n");
        b.append("        return a;\n    }\n}\n");
        return b.toString();
    }

    static String encode(final int[] a) {
        final StringBuilder s = new StringBuilder(a.length * 8);
        for (final int v : a) {
            s.append(String.format("%08x", v));
        }
        return s.toString();
    }

    static String chunks(final String s) {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i += 120) {
            if (i > 0) {
                b.append(",");
            }
            b.append("\n        \"").append(s, i, Math.min(s.length(), i + 120)).append('"');
        }
        return b.toString();
    }

    static void writeIfChanged(final Path p, final String text) throws IOException {
        if (Files.exists(p) && Files.readString(p).equals(text)) {
            return;
        }
        Files.writeString(p, text);
    }
}
