package dev.dejavm.decoder;

import dev.dejavm.decoder.gen.OpcodeTable;
import dev.dejavm.decoder.gen.Spec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes x86 instructions in 16-, 32- and 64-bit mode into a reused {@link DecodedInsn}: legacy prefixes, REX,
 * VEX, ModRM/SIB with 16-, 32- and 64-bit addressing (RIP-relative and VSIB included), displacements and
 * immediates, the instruction form (id, mnemonic, operands) from the generated opcode table, and EVEX by length.
 * Never throws for guest bytes, never allocates, and never reads past {@code pos + 15} or {@code limit}.
 *
 * <p>Decoding steps: prefixes; the opcode map (one-byte, 0F, 0F38, 0F3A, VEX, EVEX); ModRM, SIB and displacement
 * when the opcode has a ModRM byte (a property of map and opcode); then the first form of that opcode, most
 * specific first, whose constraints hold (mandatory prefix, ModRM.mod/reg/rm, mode, REX.W/VEX.W, VEX.L, operand or
 * address size); finally the immediates that form's operands call for.
 */
public final class Decoder {
    public static final int MAX_LENGTH = 15;

    /** {@link DecodedInsn#attrs}: F3 is REP on this string form. */
    public static final int ATTR_REP = 1;
    /** {@link DecodedInsn#attrs}: F3/F2 are REPE/REPNE on this string form. */
    public static final int ATTR_REPCC = 2;
    /** {@link DecodedInsn#attrs}: the immediate operand is sign-extended (Iz, Is). */
    public static final int ATTR_SIGNED_IMM = 4;

    // Match-word fields, as written by OpcodeTableGen.
    private static final int PFX_ANY = 0, PFX_NP = 1, PFX_66 = 2, PFX_F3 = 3, PFX_F2 = 4, PFX_NF = 5;
    private static final int F_LOCK = 1 << 25;
    private static final int F_BYTE = 1 << 26;
    private static final int F_REP = 1 << 27;
    private static final int F_REPCC = 1 << 28;
    private static final int F_VVVV = 1 << 29;
    private static final int F_REXB0 = 1 << 30;
    private static final int F_IMM = 1 << 31;

    // Table maps.
    private static final int T_VEX = 4;

    private static final boolean[] IS_PREFIX = new boolean[256];

    static {
        for (final int b : new int[] {0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67}) {
            IS_PREFIX[b] = true;
        }
    }

    private final byte[] window = new byte[MAX_LENGTH];

    /** Decodes from {@code bytes[pos..limit)}. @return {@code into.status} */
    public int decode(final byte[] bytes, final int pos, final int limit, final int mode, final DecodedInsn into) {
        final int avail = Math.max(0, Math.min(MAX_LENGTH, Math.min(limit, bytes.length) - pos));
        return decodeWindow(bytes, pos, avail, mode, into);
    }

    /** Decodes from a memory segment at {@code off}, {@code limit} bytes being available. */
    public int decode(final MemorySegment seg, final long off, final long limit, final int mode, final DecodedInsn into) {
        final int avail = (int) Math.max(0, Math.min(MAX_LENGTH, Math.min(limit, seg.byteSize() - off)));
        for (int i = 0; i < avail; i++) {
            window[i] = seg.get(ValueLayout.JAVA_BYTE, off + i);
        }
        return decodeWindow(window, 0, avail, mode, into);
    }

    private static int decodeWindow(final byte[] b, final int pos, final int avail, final int mode, final DecodedInsn d) {
        d.clear(mode);
        final int end = pos + avail;
        int p = pos;
        int seg = -1;
        boolean opsize = false;
        boolean addrsize = false;
        int rex = 0;
        int c;
        // Legacy prefixes and REX (a REX followed by a legacy prefix is ignored).
        while (true) {
            if (p >= end) {
                return fail(d, avail >= MAX_LENGTH ? DecodeStatus.TOO_LONG : DecodeStatus.TRUNCATED, Math.max(1, p - pos));
            }
            c = b[p] & 0xff;
            if (!IS_PREFIX[c] && (mode != 64 || (c & 0xF0) != 0x40)) {
                break; // the common case: no (more) prefixes
            }
            switch (c) {
                case 0xF0 -> d.prefixes |= Prefix.LOCK;
                case 0xF2 -> {
                    d.prefixes |= Prefix.REPNE;
                    d.prefixes &= ~Prefix.REP;
                }
                case 0xF3 -> {
                    d.prefixes |= Prefix.REP;
                    d.prefixes &= ~Prefix.REPNE;
                }
                // In 64-bit mode ES/CS/SS/DS overrides are ignored (and do not cancel an earlier FS/GS).
                case 0x26 -> seg = mode == 64 ? seg : 0;
                case 0x2E -> seg = mode == 64 ? seg : 1;
                case 0x36 -> seg = mode == 64 ? seg : 2;
                case 0x3E -> seg = mode == 64 ? seg : 3;
                case 0x64 -> seg = 4;
                case 0x65 -> seg = 5;
                case 0x66 -> opsize = true;
                case 0x67 -> addrsize = true;
                default -> {
                    if (mode == 64 && (c & 0xF0) == 0x40) {
                        rex = c;
                        p++;
                        continue;
                    }
                    c = -1;
                }
            }
            if (c < 0) {
                break;
            }
            if (c == 0x26 || c == 0x2E || c == 0x36 || c == 0x3E || c == 0x64 || c == 0x65) {
                d.prefixes |= Prefix.SEG;
            }
            rex = 0;
            p++;
        }
        if (opsize) {
            d.prefixes |= Prefix.OPSIZE;
        }
        if (addrsize) {
            d.prefixes |= Prefix.ADDRSIZE;
        }
        if (rex != 0) {
            d.prefixes |= Prefix.REX;
            d.rex = rex;
        }
        d.segOverride = seg;
        d.addrSize = mode == 64 ? (addrsize ? 32 : 64) : mode == 32 ? (addrsize ? 16 : 32) : (addrsize ? 32 : 16);

        int op = b[p++] & 0xff;
        int map = 0;
        int tmap;
        boolean vex = false;
        int vvvvRaw = 0;
        // The mandatory prefix: the last F2/F3, else 66 (for VEX, VEX.pp).
        int mp = (d.prefixes & Prefix.REP) != 0 ? PFX_F3 : (d.prefixes & Prefix.REPNE) != 0 ? PFX_F2 : opsize ? PFX_66 : PFX_NP;
        if (op == 0x0F) {
            if (p >= end) {
                return truncated(d, p - pos, avail);
            }
            op = b[p++] & 0xff;
            map = 1;
            if (op == 0x38 || op == 0x3A) {
                if (p >= end) {
                    return truncated(d, p - pos, avail);
                }
                map = op == 0x38 ? 2 : 3;
                op = b[p++] & 0xff;
            }
            tmap = map;
        } else if ((op == 0xC4 || op == 0xC5) && (mode == 64 || (p < end && (b[p] & 0xC0) == 0xC0))) {
            // VEX: C5 = two-byte form (map 0F), C4 = three-byte form.
            if (rex != 0 || opsize || (d.prefixes & (Prefix.REP | Prefix.REPNE | Prefix.LOCK)) != 0) {
                return fail(d, DecodeStatus.INVALID, p - pos);
            }
            vex = true;
            d.prefixes |= Prefix.VEX;
            int pp;
            if (op == 0xC5) {
                if (p >= end) {
                    return truncated(d, p - pos, avail);
                }
                final int v = b[p++] & 0xff;
                rex = 0x40 | ((~v >> 5) & 4);
                d.vexV = (~v >> 3) & 0xF;
                d.vexL = (v >> 2) & 1;
                pp = v & 3;
                map = 1;
            } else {
                if (p + 1 >= end) {
                    return truncated(d, p - pos, avail);
                }
                final int v1 = b[p++] & 0xff;
                final int v2 = b[p++] & 0xff;
                rex = 0x40 | ((~v1 >> 5) & 7) | ((v2 >> 4) & 8);
                map = v1 & 0x1F;
                d.vexW = (v2 >> 7) & 1;
                d.vexV = (~v2 >> 3) & 0xF;
                d.vexL = (v2 >> 2) & 1;
                pp = v2 & 3;
                if (map < 1 || map > 3) {
                    return fail(d, DecodeStatus.INVALID, p - pos);
                }
            }
            vvvvRaw = d.vexV;
            if (mode != 64) {
                rex &= 0x48;
                d.vexV &= 7; // VEX.vvvv[3] is ignored outside 64-bit mode where a register is named
            }
            d.rex = rex;
            mp = pp == 0 ? PFX_NP : pp == 1 ? PFX_66 : pp == 2 ? PFX_F3 : PFX_F2;
            if (p >= end) {
                return truncated(d, p - pos, avail);
            }
            op = b[p++] & 0xff;
            tmap = T_VEX - 1 + map;
        } else if (op == 0x62 && (mode == 64 || (p < end && (b[p] & 0xC0) == 0xC0))) {
            return evex(b, pos, p, end, avail, mode, rex, opsize, d);
        } else {
            tmap = 0;
        }
        d.map = map;
        d.opcode = op;

        int slot = OpcodeTable.SLOT[tmap << 8 | op];
        if (slot == 0) {
            return fail(d, DecodeStatus.INVALID, p - pos);
        }
        final boolean hasModrm = (slot & 1) != 0;

        // ModRM, SIB, displacement.
        if (hasModrm) {
            if (p >= end) {
                return truncated(d, p - pos, avail);
            }
            int m = b[p++] & 0xff;
            if (tmap == 1 && op >= 0x20 && op <= 0x23) {
                m |= 0xC0; // MOV to/from CRn/DRn: the mod field is ignored, the operand is always a register (SDM Vol. 2)
            }
            d.modrm = m;
            d.mod = m >> 6;
            d.reg = ((m >> 3) & 7) | ((rex & 4) << 1);
            d.rm = (m & 7) | ((rex & 1) << 3);
            if (d.mod != 3) {
                d.hasMem = true;
                if (d.addrSize == 16) {
                    final int rm = m & 7;
                    d.base = switch (rm) {
                        case 0, 1, 7 -> Reg.RBX;
                        case 2, 3 -> Reg.RBP;
                        case 4 -> Reg.RSI;
                        case 5 -> Reg.RDI;
                        default -> d.mod == 0 ? Reg.NONE : Reg.RBP;
                    };
                    d.index = rm == 0 || rm == 2 ? Reg.RSI : rm == 1 || rm == 3 ? Reg.RDI : Reg.NONE;
                    final int dispSize = d.mod == 1 ? 1 : d.mod == 2 ? 2 : (rm == 6 ? 2 : 0);
                    if (p + dispSize > end) {
                        return truncated(d, p - pos, avail);
                    }
                    d.disp = dispSize == 1 ? b[p] : dispSize == 2 ? (short) ((b[p] & 0xff) | (b[p + 1] << 8)) : 0;
                    p += dispSize;
                    d.segment = d.base == Reg.RBP ? 2 : 3;
                } else {
                    final int rm = m & 7;
                    boolean noBase = false;
                    if (rm == 4) {
                        if (p >= end) {
                            return truncated(d, p - pos, avail);
                        }
                        final int sib = b[p++] & 0xff;
                        d.scale = 1 << (sib >> 6);
                        final int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
                        d.index = idx == 4 ? Reg.NONE : idx;
                        d.sibIndex = idx;
                        final int base = sib & 7;
                        if (base == 5 && d.mod == 0) {
                            noBase = true;
                            d.base = Reg.NONE;
                        } else {
                            d.base = base | ((rex & 1) << 3);
                        }
                    } else if (rm == 5 && d.mod == 0) {
                        d.base = mode == 64 ? Reg.RIP : Reg.NONE;
                        noBase = true;
                    } else {
                        d.base = rm | ((rex & 1) << 3);
                    }
                    final int dispSize = d.mod == 1 ? 1 : d.mod == 2 || noBase ? 4 : 0;
                    if (p + dispSize > end) {
                        return truncated(d, p - pos, avail);
                    }
                    if (dispSize == 1) {
                        d.disp = b[p];
                    } else if (dispSize == 4) {
                        d.disp = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | b[p + 3] << 24;
                    }
                    p += dispSize;
                    d.segment = (d.base == Reg.RSP || d.base == Reg.RBP) ? 2 : 3;
                }
            }
        }
        if (d.segOverride >= 0) {
            d.segment = d.segOverride;
        }

        // Select the form.
        final boolean rexW = (rex & 8) != 0;
        final boolean w = vex ? d.vexW != 0 : rexW;
        final int first = slot >>> 9;
        final int count = (slot >>> 1) & 0xFF;
        int form = 0;
        int osz = 0;
        // The instruction's key word, tested against each form's CARE/WANT masks (see OpcodeTableGen.careWant).
        final int key = (1 << (mp - 1)) | (d.modrm < 0 ? 0 : d.mod == 3 ? 1 << 5 : 1 << 4) | (d.modrm < 0 ? 0 : (d.modrm & 0x3F) << 6)
            | (mode == 64 ? 1 << 12 : 0) | (w ? 1 << 13 : 0) | (d.vexL != 0 ? 1 << 14 : 0) | ((rex & 1) << 15);
        for (int f = first; f < first + count; f++) {
            final int care = OpcodeTable.CARE[f];
            if ((key & care) != OpcodeTable.WANT[f]) {
                continue;
            }
            if (care < 0) { // operand- or address-size constraint
                final int mw = OpcodeTable.MATCH[f];
                final int fos = (mw >> 19) & 3;
                if (fos != 0 && operandSize(mode, vex, w, opsize && (mw & 7) != PFX_66, (mw >> 23) & 3) != 8 << fos) {
                    continue;
                }
                final int fas = (mw >> 21) & 3;
                if (fas != 0 && d.addrSize != 8 << fas) {
                    continue;
                }
            }
            form = f;
            break;
        }
        if (form == 0) {
            return fail(d, DecodeStatus.INVALID, p - pos);
        }
        final int mw = OpcodeTable.MATCH[form];
        osz = operandSize(mode, vex, w, opsize && (mw & 7) != PFX_66, (mw >> 23) & 3);
        d.opSize = (mw & F_BYTE) != 0 ? 8 : osz;
        if ((d.prefixes & Prefix.LOCK) != 0 && ((mw & F_LOCK) == 0 || d.mod == 3)) {
            return fail(d, DecodeStatus.INVALID, p - pos);
        }
        if (vex && (mw & F_VVVV) == 0 && vvvvRaw != 0) {
            return fail(d, DecodeStatus.INVALID, p - pos); // VEX.vvvv must be 1111b when unused
        }
        if (tmap == 1 && (op == 0x20 || op == 0x22) && !validControlRegister(d.reg, mode)) {
            return fail(d, DecodeStatus.INVALID, p - pos);
        }
        if (tmap == 1 && (op == 0x21 || op == 0x23) && d.reg > 7) {
            return fail(d, DecodeStatus.INVALID, p - pos); // REX.R with a debug register
        }
        d.id = form;
        d.mnemonic = OpcodeTable.MNEMONIC[form];
        d.attrs = ((mw & F_REP) != 0 ? ATTR_REP : 0) | ((mw & F_REPCC) != 0 ? ATTR_REPCC : 0);

        // Operands and immediates.
        final int nops = OpcodeTable.OPERAND_COUNT[form];
        d.numOperands = nops;
        int memBytes = -1;
        for (int i = 0; i < nops; i++) {
            final int spec = OpcodeTable.OPERANDS[form * 4 + i];
            final int meth = spec & 0xFF;
            final int regSize = (spec >> 8) & 0xFF;
            final int memSize = (spec >> 16) & 0xFF;
            int kind = OperandKind.REG;
            int reg = 0;
            int bits = 0;
            switch (meth) {
                case Spec.M_E, Spec.M_R -> {
                    if (d.mod == 3) {
                        bits = sizeBits(regSize, d);
                        reg = gpr(d.rm, bits, rex);
                    } else {
                        kind = OperandKind.MEM;
                        bits = sizeBits(memSize, d);
                    }
                }
                case Spec.M_G -> {
                    bits = sizeBits(regSize, d);
                    reg = gpr(d.reg, bits, rex);
                }
                case Spec.M_Z -> {
                    bits = sizeBits(regSize, d);
                    reg = gpr((op & 7) | ((rex & 1) << 3), bits, rex);
                }
                case Spec.M_B -> {
                    bits = sizeBits(regSize, d);
                    reg = d.vexV;
                }
                case Spec.M_M -> {
                    kind = OperandKind.MEM;
                    bits = sizeBits(memSize, d);
                }
                case Spec.M_VMV, Spec.M_VMX, Spec.M_VMY -> {
                    kind = OperandKind.MEM;
                    bits = sizeBits(memSize, d);
                    if (d.sibIndex < 0) {
                        return fail(d, DecodeStatus.INVALID, p - pos); // VSIB needs a SIB byte
                    }
                    final boolean ymm = meth == Spec.M_VMY || (meth == Spec.M_VMV && d.vexL != 0);
                    d.index = (ymm ? Reg.YMM0 : Reg.XMM0) + d.sibIndex;
                    if (d.reg == d.sibIndex || d.reg == d.vexV || d.vexV == d.sibIndex) {
                        return fail(d, DecodeStatus.INVALID, p - pos); // gathers: destination, index and mask must differ
                    }
                }
                case Spec.M_S -> {
                    bits = 16;
                    reg = Reg.ES + (d.reg & 7);
                    if ((d.reg & 7) > 5) {
                        return fail(d, DecodeStatus.INVALID, p - pos);
                    }
                }
                case Spec.M_C -> {
                    bits = sizeBits(regSize, d);
                    reg = Reg.CR0 + d.reg;
                }
                case Spec.M_D -> {
                    bits = sizeBits(regSize, d);
                    reg = Reg.DR0 + d.reg;
                }
                case Spec.M_P -> {
                    bits = 64;
                    reg = Reg.MM0 + (d.reg & 7);
                }
                case Spec.M_Q, Spec.M_N -> {
                    if (d.mod == 3) {
                        bits = 64;
                        reg = Reg.MM0 + (d.rm & 7);
                    } else {
                        kind = OperandKind.MEM;
                        bits = sizeBits(memSize, d);
                    }
                }
                case Spec.M_V -> {
                    bits = vectorBits(regSize, d);
                    reg = (bits == 256 ? Reg.YMM0 : Reg.XMM0) + d.reg;
                }
                case Spec.M_H -> {
                    bits = vectorBits(regSize, d);
                    reg = (bits == 256 ? Reg.YMM0 : Reg.XMM0) + d.vexV;
                }
                case Spec.M_W, Spec.M_U -> {
                    if (d.mod == 3) {
                        bits = vectorBits(regSize, d);
                        reg = (bits == 256 ? Reg.YMM0 : Reg.XMM0) + d.rm;
                    } else {
                        kind = OperandKind.MEM;
                        bits = sizeBits(memSize, d);
                    }
                }
                case Spec.M_K -> {
                    bits = sizeBits(regSize, d);
                    reg = Reg.K0 + (d.reg & 7);
                    if (d.reg > 7) {
                        return fail(d, DecodeStatus.INVALID, p - pos); // k8-k15 do not exist
                    }
                }
                case Spec.M_KR, Spec.M_KW -> {
                    bits = sizeBits(regSize, d);
                    if (d.mod == 3) {
                        reg = Reg.K0 + (d.rm & 7);
                    } else {
                        kind = OperandKind.MEM;
                    }
                }
                case Spec.M_KH -> {
                    bits = sizeBits(regSize, d);
                    reg = Reg.K0 + (d.vexV & 7);
                    if (d.vexV > 7) {
                        return fail(d, DecodeStatus.INVALID, p - pos);
                    }
                }
                case Spec.M_ST -> {
                    bits = 80;
                    reg = Reg.ST0 + (d.rm & 7);
                }
                case Spec.M_FIX -> {
                    final int fixed = spec >>> 24;
                    bits = sizeBits(regSize, d);
                    reg = fixed;
                }
                case Spec.M_X, Spec.M_Y -> {
                    kind = meth == Spec.M_X ? OperandKind.STR_SRC : OperandKind.STR_DST;
                    bits = sizeBits(regSize, d);
                }
                case Spec.M_ONE -> {
                    kind = OperandKind.CONST;
                    reg = 1;
                    bits = 8;
                }
                case Spec.M_O -> {
                    kind = OperandKind.MOFFS;
                    bits = sizeBits(regSize, d);
                }
                case Spec.M_I, Spec.M_IS -> {
                    kind = OperandKind.IMM;
                    // A sign-extended immediate (Is, Iz) takes the operation's size.
                    bits = meth == Spec.M_IS || regSize == Spec.S_Z ? d.opSize : sizeBits(regSize, d);
                }
                case Spec.M_J -> {
                    kind = OperandKind.REL;
                    bits = sizeBits(regSize, d);
                }
                case Spec.M_A -> {
                    kind = OperandKind.PTR;
                    bits = osz == 16 ? 32 : 48;
                }
                case Spec.M_L -> {
                    bits = vectorBits(regSize, d);
                    // register from imm8[7:4], filled in once the immediate is read
                }
                default -> {
                    kind = OperandKind.NONE;
                }
            }
            d.opKind[i] = kind;
            d.opReg[i] = reg;
            d.operandSize[i] = bits;
            if ((kind == OperandKind.MEM || kind == OperandKind.MOFFS) && memBytes < 0) {
                memBytes = bits >= 8 && bits <= 512 ? bits >> 3 : 0;
            }
        }
        d.memBytes = Math.max(0, memBytes);

        // Immediates, in operand order.
        if ((mw & F_IMM) == 0) {
            d.length = p - pos;
            return d.status;
        }
        int immIndex = 0;
        for (int i = 0; i < nops; i++) {
            final int spec = OpcodeTable.OPERANDS[form * 4 + i];
            final int meth = spec & 0xFF;
            final int regSize = (spec >> 8) & 0xFF;
            final int bits = d.operandSize[i];
            int n = 0;
            boolean signed = false;
            switch (meth) {
                case Spec.M_I -> {
                    n = regSize == Spec.S_B ? 1 : regSize == Spec.S_W ? 2 : regSize == Spec.S_Z ? (osz == 16 ? 2 : 4)
                        : regSize == Spec.S_V ? osz / 8 : 4;
                    signed = regSize == Spec.S_Z;
                }
                case Spec.M_IS, Spec.M_J -> {
                    n = regSize == Spec.S_B ? 1 : osz == 16 ? 2 : 4;
                    signed = true;
                }
                case Spec.M_A -> n = (osz == 16 ? 2 : 4) + 2;
                case Spec.M_O -> n = d.addrSize / 8;
                case Spec.M_L -> n = 1;
                default -> n = 0;
            }
            if (n == 0) {
                continue;
            }
            if (p + n > end) {
                return p + n > pos + MAX_LENGTH ? fail(d, DecodeStatus.TOO_LONG, avail) : truncated(d, p - pos, avail);
            }
            if (meth == Spec.M_O) {
                d.disp = le(b, p, n);
                d.hasMem = true;
                d.base = Reg.NONE;
                d.index = Reg.NONE;
            } else if (meth == Spec.M_A) {
                d.imm = le(b, p, n - 2);
                d.imm2 = le(b, p + n - 2, 2);
            } else if (meth == Spec.M_L) {
                final int is4 = b[p] & 0xff;
                d.opReg[i] = (bits == 256 ? Reg.YMM0 : Reg.XMM0) + (mode == 64 ? is4 >> 4 : (is4 >> 4) & 7);
                d.imm = is4;
            } else {
                long v = le(b, p, n);
                if (signed) {
                    v = n == 1 ? (byte) v : n == 2 ? (short) v : n == 4 ? (int) v : v;
                    d.attrs |= ATTR_SIGNED_IMM;
                }
                if (immIndex == 0) {
                    d.imm = v;
                    d.immSize = n;
                } else {
                    d.imm2 = v;
                }
                immIndex++;
            }
            p += n;
        }
        d.length = p - pos;
        return d.status;
    }

    /** EVEX (AVX-512) instructions, decoded for length: 62 P0 P1 P2, opcode, ModRM, SIB, displacement, imm8. */
    private static int evex(final byte[] b, final int pos, int p, final int end, final int avail, final int mode,
                            final int rex, final boolean opsize, final DecodedInsn d) {
        if (rex != 0 || opsize || (d.prefixes & (Prefix.REP | Prefix.REPNE | Prefix.LOCK)) != 0) {
            return fail(d, DecodeStatus.INVALID, p - pos);
        }
        d.prefixes |= Prefix.EVEX;
        d.id = 0;
        d.mnemonic = 0;
        if (p + 3 > end) {
            return truncated(d, p - pos, avail);
        }
        final int p0 = b[p] & 0xff;
        final int p1 = b[p + 1] & 0xff;
        final int p2 = b[p + 2] & 0xff;
        p += 3;
        final int map = p0 & 7;
        if ((p0 & 0x08) != 0 || (p1 & 0x04) == 0 || map == 0 || map == 4 || map == 7) {
            return fail(d, DecodeStatus.INVALID, p - pos);
        }
        d.map = map;
        d.vexW = p1 >> 7;
        d.vexL = (p2 >> 5) & 3;
        if (p >= end) {
            return truncated(d, p - pos, avail);
        }
        final int op = b[p++] & 0xff;
        d.opcode = op;
        if (p >= end) {
            return truncated(d, p - pos, avail);
        }
        final int m = b[p++] & 0xff;
        d.modrm = m;
        d.mod = m >> 6;
        int n = 0;
        if (d.mod != 3) {
            d.hasMem = true;
            final int rm = m & 7;
            if (d.addrSize == 16) {
                n = d.mod == 1 ? 1 : d.mod == 2 || rm == 6 && d.mod == 0 ? 2 : 0;
            } else {
                if (rm == 4) {
                    if (p >= end) {
                        return truncated(d, p - pos, avail);
                    }
                    final int sib = b[p++] & 0xff;
                    n = (sib & 7) == 5 && d.mod == 0 ? 4 : 0;
                } else if (rm == 5 && d.mod == 0) {
                    n = 4;
                }
                n = d.mod == 1 ? 1 : d.mod == 2 ? 4 : n;
            }
        }
        if (map == 3 || map == 1 && (op >= 0x70 && op <= 0x73 || op == 0xC2 || op == 0xC4 || op == 0xC5 || op == 0xC6)) {
            n++;
        }
        if (p + n > end) {
            return p + n > pos + MAX_LENGTH ? fail(d, DecodeStatus.TOO_LONG, avail) : truncated(d, p - pos, avail);
        }
        p += n;
        d.length = p - pos;
        return d.status;
    }

    /** CR0, CR2, CR3, CR4 and (64-bit mode, REX.R) CR8 exist; the others raise #UD. */
    private static boolean validControlRegister(final int cr, final int mode) {
        return cr == 0 || cr == 2 || cr == 3 || cr == 4 || (cr == 8 && mode == 64);
    }

    private static int operandSize(final int mode, final boolean vex, final boolean w, final boolean p66, final int rule) {
        if (vex) {
            return w && mode == 64 ? 64 : 32;
        }
        if (mode == 64) {
            if (rule == 2 || w) {
                return 64;
            }
            return p66 ? 16 : rule == 1 ? 64 : 32;
        }
        return (mode == 32) != p66 ? 32 : 16;
    }

    /** A general register operand: register number, or AH..BH for 4..7 in byte form without REX. */
    private static int gpr(final int n, final int bits, final int rex) {
        return bits == 8 && rex == 0 && n >= 4 && n < 8 ? Reg.AH + n - 4 : n;
    }

    private static int vectorBits(final int size, final DecodedInsn d) {
        return size == Spec.S_QQ || ((size == Spec.S_X || size == Spec.S_XQ) && d.vexL != 0) ? 256 : 128;
    }

    /** {@link #computeSize} for every size code, mode (16/32/64), operand size (8..64) and VEX.L. */
    private static final short[] SIZE_BITS = new short[64 * 3 * 4 * 2];

    static {
        for (int s = 0; s < 64; s++) {
            for (int m = 0; m < 3; m++) {
                for (int o = 0; o < 4; o++) {
                    for (int l = 0; l < 2; l++) {
                        SIZE_BITS[((s * 3 + m) * 4 + o) * 2 + l] = (short) computeSize(s, 16 << m, 8 << o, l != 0);
                    }
                }
            }
        }
    }

    /** Size in bits of an operand of size code {@code s} (0 when the instruction gives none). */
    static int sizeBits(final int s, final DecodedInsn d) {
        if (s == Spec.S_AS) {
            return d.addrSize;
        }
        final int m = d.mode == 64 ? 2 : d.mode >> 5;
        final int o = Integer.numberOfTrailingZeros(d.opSize) - 3;
        return SIZE_BITS[((s * 3 + m) * 4 + o) * 2 + (d.vexL & 1)];
    }

    private static int computeSize(final int s, final int mode, final int osz, final boolean l) {
        return switch (s) {
            case Spec.S_B -> 8;
            case Spec.S_W -> 16;
            case Spec.S_D -> 32;
            case Spec.S_Q -> 64;
            case Spec.S_DQ -> 128;
            case Spec.S_QQ -> 256;
            case Spec.S_T -> 80;
            case Spec.S_V -> osz;
            case Spec.S_Z -> osz == 16 ? 16 : 32;
            case Spec.S_Y -> osz == 64 ? 64 : 32;
            case Spec.S_X -> l ? 256 : 128;
            case Spec.S_H -> l ? 128 : 64;
            case Spec.S_QX -> l ? 64 : 32;
            case Spec.S_EX -> l ? 32 : 16;
            case Spec.S_XQ -> l ? 256 : 64;
            case Spec.S_P -> osz == 16 ? 32 : osz == 32 ? 48 : 80;
            case Spec.S_S -> mode == 64 ? 80 : 48;
            case Spec.S_A -> osz * 2;
            case Spec.S_ENV -> osz == 16 ? 14 * 8 : 28 * 8;
            case Spec.S_FST -> osz == 16 ? 94 * 8 : 108 * 8;
            case Spec.S_FX -> 512 * 8;
            case Spec.S_R -> mode == 64 ? 64 : 32;
            default -> 0;
        };
    }

    private static long le(final byte[] b, final int p, final int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (b[p + i] & 0xff) << (8 * i);
        }
        return v;
    }

    private static int truncated(final DecodedInsn d, final int examined, final int avail) {
        return fail(d, avail >= MAX_LENGTH ? DecodeStatus.TOO_LONG : DecodeStatus.TRUNCATED, Math.max(1, examined));
    }

    private static int fail(final DecodedInsn d, final int status, final int examined) {
        d.status = status;
        d.length = Math.max(1, Math.min(MAX_LENGTH, examined));
        d.id = 0;
        d.mnemonic = 0;
        d.numOperands = 0;
        d.memBytes = 0;
        return status;
    }
}
