package dev.dejavm.decoder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes x86 instructions in 16-, 32- and 64-bit mode: legacy prefixes, REX, VEX (length and fields), ModRM/SIB
 * with 16-, 32- and 64-bit addressing (RIP-relative included), displacements and immediates, into a reused
 * {@link DecodedInsn}. Never throws for guest bytes and never reads past {@code pos + 15} or {@code limit}.
 *
 * <p>Implemented subset: the one-byte map, the 0F map, and the lengths of the 0F38/0F3A and VEX-encoded maps;
 * EVEX is reported as invalid. Opcode identity is the key {@code map << 8 | opcode} in {@link DecodedInsn#op}.
 */
public final class Decoder {
    public static final int MAX_LENGTH = 15;

    // Immediate kinds.
    private static final int I_NONE = 0;
    private static final int I_B = 1;      // 8-bit, zero-extended
    private static final int I_BS = 2;     // 8-bit, sign-extended
    private static final int I_W = 3;      // 16-bit, zero-extended
    private static final int I_Z = 4;      // 16/32 by operand size, sign-extended
    private static final int I_V = 5;      // 16/32/64 by operand size (B8+r)
    private static final int I_REL8 = 6;
    private static final int I_RELZ = 7;
    private static final int I_PTR = 8;    // far pointer: 16/32 offset + 16 selector
    private static final int I_MOFFS = 9;  // address-size offset
    private static final int I_WB = 10;    // ENTER: imm16, imm8
    private static final int I_GRP3 = 11;  // F6/F7: imm only for /0 and /1

    private static final boolean[] MODRM1 = new boolean[256];
    private static final byte[] IMM1 = new byte[256];
    private static final boolean[] MODRM2 = new boolean[256];
    private static final byte[] IMM2 = new byte[256];
    private static final boolean[] INVALID64 = new boolean[256];
    private static final boolean[] INVALID2 = new boolean[256];
    /** One-byte opcodes whose operand size defaults to 64 bits in 64-bit mode. */
    private static final boolean[] DEFAULT64 = new boolean[256];
    private static final boolean[] DEFAULT64_2 = new boolean[256];
    private static final boolean[] BYTE1 = new boolean[256];

    static {
        for (int row = 0; row < 0x40; row += 8) {
            for (int k = 0; k < 4; k++) {
                MODRM1[row + k] = true;
            }
            IMM1[row + 4] = I_B;
            IMM1[row + 5] = I_Z;
            BYTE1[row] = true;
            BYTE1[row + 2] = true;
            BYTE1[row + 4] = true;
        }
        for (final int b : new int[] {0x62, 0x63, 0x69, 0x6B, 0xC0, 0xC1, 0xC4, 0xC5, 0xC6, 0xC7, 0xD0, 0xD1, 0xD2, 0xD3,
                0xF6, 0xF7, 0xFE, 0xFF}) {
            MODRM1[b] = true;
        }
        for (int b = 0x80; b <= 0x8F; b++) {
            MODRM1[b] = true;
        }
        for (int b = 0xD8; b <= 0xDF; b++) {
            MODRM1[b] = true;
        }
        IMM1[0x68] = I_Z;
        IMM1[0x69] = I_Z;
        IMM1[0x6A] = I_BS;
        IMM1[0x6B] = I_BS;
        for (int b = 0x70; b <= 0x7F; b++) {
            IMM1[b] = I_REL8;
        }
        IMM1[0x80] = I_B;
        IMM1[0x81] = I_Z;
        IMM1[0x82] = I_B;
        IMM1[0x83] = I_BS;
        IMM1[0x9A] = I_PTR;
        for (int b = 0xA0; b <= 0xA3; b++) {
            IMM1[b] = I_MOFFS;
        }
        IMM1[0xA8] = I_B;
        IMM1[0xA9] = I_Z;
        for (int b = 0xB0; b <= 0xB7; b++) {
            IMM1[b] = I_B;
            IMM1[b + 8] = I_V;
            BYTE1[b] = true;
        }
        IMM1[0xC0] = I_B;
        IMM1[0xC1] = I_B;
        IMM1[0xC2] = I_W;
        IMM1[0xC6] = I_B;
        IMM1[0xC7] = I_Z;
        IMM1[0xC8] = I_WB;
        IMM1[0xCA] = I_W;
        IMM1[0xCD] = I_B;
        IMM1[0xD4] = I_B;
        IMM1[0xD5] = I_B;
        for (int b = 0xE0; b <= 0xE3; b++) {
            IMM1[b] = I_REL8;
        }
        for (int b = 0xE4; b <= 0xE7; b++) {
            IMM1[b] = I_B;
        }
        IMM1[0xE8] = I_RELZ;
        IMM1[0xE9] = I_RELZ;
        IMM1[0xEA] = I_PTR;
        IMM1[0xEB] = I_REL8;
        IMM1[0xF6] = I_GRP3;
        IMM1[0xF7] = I_GRP3;
        for (final int b : new int[] {0x6C, 0x6E, 0x80, 0x82, 0x84, 0x86, 0x88, 0x8A, 0xA0, 0xA2, 0xA4, 0xA6, 0xA8, 0xAA, 0xAC, 0xAE,
                0xC0, 0xC6, 0xD0, 0xD2, 0xE4, 0xE6, 0xEC, 0xEE, 0xF6, 0xFE}) {
            BYTE1[b] = true;
        }
        for (final int b : new int[] {0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x62,
                0x82, 0x9A, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA}) {
            INVALID64[b] = true;
        }
        for (int b = 0x50; b <= 0x5F; b++) {
            DEFAULT64[b] = true;
        }
        for (int b = 0x70; b <= 0x7F; b++) {
            DEFAULT64[b] = true;
        }
        for (final int b : new int[] {0x68, 0x6A, 0x8F, 0x9C, 0x9D, 0xC2, 0xC3, 0xC8, 0xC9, 0xE0, 0xE1, 0xE2, 0xE3, 0xE8,
                0xE9, 0xEB}) {
            DEFAULT64[b] = true;
        }

        for (int b = 0; b < 256; b++) {
            MODRM2[b] = true;
        }
        for (final int b : new int[] {0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0E, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37,
                0x77, 0xA0, 0xA1, 0xA2, 0xA8, 0xA9, 0xAA}) {
            MODRM2[b] = false;
        }
        for (int b = 0x80; b <= 0x8F; b++) {
            MODRM2[b] = false;
            IMM2[b] = I_RELZ;
            DEFAULT64_2[b] = true;
        }
        for (int b = 0xC8; b <= 0xCF; b++) {
            MODRM2[b] = false;
        }
        for (final int b : new int[] {0x70, 0x71, 0x72, 0x73, 0xA4, 0xAC, 0xBA, 0xC2, 0xC4, 0xC5, 0xC6}) {
            IMM2[b] = I_B;
        }
        for (final int b : new int[] {0x04, 0x0A, 0x0C, 0x0F, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x3B, 0x3C, 0x3D, 0x3E,
                0x3F, 0x7A, 0x7B, 0xA6, 0xA7}) {
            INVALID2[b] = true;
            MODRM2[b] = false;
        }
        for (final int b : new int[] {0xA0, 0xA1, 0xA8, 0xA9}) {
            DEFAULT64_2[b] = true;
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
                case 0x26 -> seg = 0;
                case 0x2E -> seg = 1;
                case 0x36 -> seg = 2;
                case 0x3E -> seg = 3;
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
        if (mode == 64) {
            d.segOverride = seg >= 4 ? seg : -1;
        } else {
            d.segOverride = seg;
        }
        d.addrSize = mode == 64 ? (addrsize ? 32 : 64) : mode == 32 ? (addrsize ? 16 : 32) : (addrsize ? 32 : 16);

        int op = b[p++] & 0xff;
        int map = 0;
        boolean hasModrm;
        int immKind;
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
                hasModrm = true;
                immKind = map == 3 ? I_B : I_NONE;
            } else {
                if (INVALID2[op]) {
                    return fail(d, DecodeStatus.INVALID, p - pos);
                }
                hasModrm = MODRM2[op];
                immKind = IMM2[op];
            }
        } else if ((op == 0xC4 || op == 0xC5) && (mode == 64 || (p < end && (b[p] & 0xC0) == 0xC0))) {
            // VEX: C5 = two-byte form (map 0F), C4 = three-byte form.
            if (rex != 0 || opsize || (d.prefixes & (Prefix.REP | Prefix.REPNE | Prefix.LOCK)) != 0) {
                return fail(d, DecodeStatus.INVALID, p - pos);
            }
            d.prefixes |= Prefix.VEX;
            if (op == 0xC5) {
                if (p >= end) {
                    return truncated(d, p - pos, avail);
                }
                final int v = b[p++] & 0xff;
                rex = 0x40 | ((~v >> 5) & 4);
                d.vexV = (~v >> 3) & 0xF;
                d.vexL = (v >> 2) & 1;
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
                if (map < 1 || map > 3) {
                    return fail(d, DecodeStatus.INVALID, p - pos);
                }
            }
            if (mode != 64) {
                rex &= 0x48;
                d.vexV &= 7;
            }
            d.rex = rex;
            if (p >= end) {
                return truncated(d, p - pos, avail);
            }
            op = b[p++] & 0xff;
            hasModrm = !(map == 1 && op == 0x77);
            immKind = map == 3 || (map == 1 && (op == 0xC2 || op == 0xC4 || op == 0xC5 || op == 0xC6 || (op >= 0x70 && op <= 0x73)))
                    ? I_B : I_NONE;
        } else {
            if (mode == 64 && INVALID64[op]) {
                return fail(d, DecodeStatus.INVALID, p - pos);
            }
            if (op == 0xD6 || op == 0x0F) {
                return fail(d, DecodeStatus.INVALID, p - pos);
            }
            hasModrm = MODRM1[op];
            immKind = IMM1[op];
        }
        d.map = map;
        d.opcode = op;
        d.op = map << 8 | op;

        // Operand size.
        final boolean rexW = (rex & 8) != 0;
        int osz;
        if (mode == 64) {
            osz = rexW ? 64 : opsize ? 16 : 32;
            if (!rexW && ((map == 0 && DEFAULT64[op]) || (map == 1 && DEFAULT64_2[op])
                    || (map == 0 && op == 0xFF && p < end && isFfDefault64((b[p] >> 3) & 7)))) {
                osz = opsize ? 16 : 64;
            }
        } else {
            osz = mode == 32 ? (opsize ? 16 : 32) : (opsize ? 32 : 16);
        }
        if ((map == 0 && BYTE1[op]) || (map == 1 && ((op >= 0x90 && op <= 0x9F) || op == 0xB0 || op == 0xC0))) {
            osz = 8;
        }
        d.opSize = osz;

        // ModRM, SIB, displacement.
        if (hasModrm) {
            if (p >= end) {
                return truncated(d, p - pos, avail);
            }
            int m = b[p++] & 0xff;
            if (map == 1 && op >= 0x20 && op <= 0x23) {
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
                    int dispSize = d.mod == 1 ? 1 : d.mod == 2 ? 2 : (rm == 6 ? 2 : 0);
                    if (p + dispSize > end) {
                        return truncated(d, p - pos, avail);
                    }
                    d.disp = dispSize == 1 ? b[p] : dispSize == 2 ? (short) ((b[p] & 0xff) | (b[p + 1] << 8)) : 0;
                    p += dispSize;
                    d.segment = d.base == Reg.RBP ? 2 : 3;
                } else {
                    int rm = m & 7;
                    boolean noBase = false;
                    if (rm == 4) {
                        if (p >= end) {
                            return truncated(d, p - pos, avail);
                        }
                        final int sib = b[p++] & 0xff;
                        d.scale = 1 << (sib >> 6);
                        final int idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
                        d.index = idx == 4 ? Reg.NONE : idx;
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
                if (d.segOverride >= 0) {
                    d.segment = d.segOverride;
                }
            }
            if (!validGroup(d, mode)) {
                return fail(d, DecodeStatus.INVALID, p - pos);
            }
        } else if (d.segOverride >= 0) {
            d.segment = d.segOverride;
        }
        if ((d.prefixes & Prefix.LOCK) != 0 && !lockable(d)) {
            return fail(d, DecodeStatus.INVALID, p - pos);
        }

        // Immediates.
        int immBytes = 0;
        switch (immKind) {
            case I_B, I_BS, I_REL8 -> immBytes = 1;
            case I_W -> immBytes = 2;
            case I_Z, I_RELZ -> immBytes = osz == 16 ? 2 : 4;
            case I_V -> immBytes = osz == 64 ? 8 : osz == 16 ? 2 : 4;
            case I_PTR -> immBytes = (osz == 16 ? 2 : 4) + 2;
            case I_MOFFS -> immBytes = d.addrSize / 8;
            case I_WB -> immBytes = 3;
            case I_GRP3 -> immBytes = (d.reg & 7) < 2 ? (osz == 8 ? 1 : osz == 16 ? 2 : 4) : 0;
            default -> immBytes = 0;
        }
        if (p + immBytes > end) {
            return p + immBytes > pos + MAX_LENGTH ? fail(d, DecodeStatus.TOO_LONG, avail) : truncated(d, p - pos, avail);
        }
        if (p + immBytes - pos > MAX_LENGTH) {
            return fail(d, DecodeStatus.TOO_LONG, MAX_LENGTH);
        }
        switch (immKind) {
            case I_B -> d.imm = b[p] & 0xff;
            case I_BS, I_REL8 -> d.imm = b[p];
            case I_W -> d.imm = le(b, p, 2);
            case I_Z, I_RELZ -> d.imm = immBytes == 2 ? (short) le(b, p, 2) : (int) le(b, p, 4);
            case I_V -> d.imm = immBytes == 2 ? le(b, p, 2) : immBytes == 4 ? le(b, p, 4) : le(b, p, 8);
            case I_PTR -> {
                d.imm = le(b, p, immBytes - 2);
                d.imm2 = le(b, p + immBytes - 2, 2);
            }
            case I_MOFFS -> {
                d.disp = le(b, p, immBytes);
                d.hasMem = true;
            }
            case I_WB -> {
                d.imm = le(b, p, 2);
                d.imm2 = b[p + 2] & 0xff;
            }
            case I_GRP3 -> {
                if (immBytes == 1) {
                    d.imm = b[p] & 0xff;
                } else if (immBytes == 2) {
                    d.imm = (short) le(b, p, 2);
                } else if (immBytes == 4) {
                    d.imm = (int) le(b, p, 4);
                }
            }
            default -> {
            }
        }
        d.immSize = immBytes;
        p += immBytes;
        d.length = p - pos;
        return d.status;
    }

    private static boolean isFfDefault64(final int reg) {
        return reg == 2 || reg == 4 || reg == 6;
    }

    /**
     * x87 escape opcodes D8-DF: which ModRM forms exist (Intel SDM Vol. 2, Appendix A.5, Tables; blank
     * entries are reserved and raise #UD). Memory forms: one bit per ModRM.reg; register forms: one bit per
     * ModRM byte C0-FF.
     */
    private static final int[] X87_MEM = {0xFF, 0xFD, 0xFF, 0xAF, 0xFF, 0xDF, 0xFF, 0xFF};
    private static final long[] X87_REG = {
        -1L,                                                              // D8: all
        x87Reg(0xC0, 0xD1) | bit(0xE0) | bit(0xE1) | bit(0xE4) | bit(0xE5) | x87Reg(0xE8, 0xEF) | x87Reg(0xF0, 0x100), // D9 (D0: FNOP)
        x87Reg(0xC0, 0xE0) | bit(0xE9),                                   // DA
        x87Reg(0xC0, 0xE0) | bit(0xE0) | bit(0xE1) | bit(0xE2) | bit(0xE3) | bit(0xE4) | x87Reg(0xE8, 0xF8), // DB (E0/E1/E4: 8087/287 FENI/FDISI/FSETPM, no-ops since the 387)
        x87Reg(0xC0, 0xD0) | x87Reg(0xE0, 0x100),                         // DC
        x87Reg(0xC0, 0xC8) | x87Reg(0xD0, 0xF0),                          // DD
        x87Reg(0xC0, 0xD0) | bit(0xD9) | x87Reg(0xE0, 0x100),             // DE
        x87Reg(0xC0, 0xC8) | bit(0xE0) | x87Reg(0xE8, 0xF8),              // DF (C0-C7: FFREEP, executed by Intel and AMD CPUs)
    };

    private static long bit(final int modrm) {
        return 1L << (modrm - 0xC0);
    }

    private static long x87Reg(final int from, final int toExclusive) {
        long m = 0;
        for (int b = from; b < toExclusive; b++) {
            m |= bit(b);
        }
        return m;
    }

    /** Group opcodes with undefined ModRM.reg values or register forms that do not exist. */
    private static boolean validGroup(final DecodedInsn d, final int mode) {
        final int r = d.reg & 7;
        if (d.map == 0 && d.opcode >= 0xD8 && d.opcode <= 0xDF) {
            final int esc = d.opcode - 0xD8;
            return d.mod != 3 ? (X87_MEM[esc] & (1 << r)) != 0 : (X87_REG[esc] & bit(d.modrm)) != 0;
        }
        if (d.map == 1 && d.opcode >= 0x71 && d.opcode <= 0x73) {
            // MMX/SSE shift-by-immediate groups 12-14: register forms only; 71/72: /2 /4 /6; 73: /2 /3 /6 /7 (the
            // /3 and /7 byte shifts exist with the 66 prefix only).
            if (d.mod != 3) {
                return false;
            }
            if (d.opcode == 0x73) {
                return r == 2 || r == 6 || ((r == 3 || r == 7) && (d.prefixes & Prefix.OPSIZE) != 0);
            }
            return r == 2 || r == 4 || r == 6;
        }
        if (d.map == 0) {
            return switch (d.opcode) {
                case 0x8F -> r == 0;
                case 0xC6, 0xC7 -> r == 0 || d.modrm == 0xF8; // C6 F8 XABORT ib, C7 F8 XBEGIN rel16/32 (RTM)
                case 0xFE -> r < 2;
                case 0xFF -> r != 7 && !((r == 3 || r == 5) && d.mod == 3);
                case 0x8D, 0xC4, 0xC5, 0x62 -> d.mod != 3;
                case 0x8C, 0x8E -> r < 6 && !(d.opcode == 0x8E && r == 1);
                default -> true;
            };
        }
        if (d.map == 1) {
            return switch (d.opcode) {
                case 0x00 -> r < 6;
                case 0x01 -> d.mod != 3 || r == 0 || r == 1 || r == 2 || r == 3 || r == 4 || r == 6 || r == 7;
                case 0xB2, 0xB4, 0xB5 -> d.mod != 3;
                case 0xBA -> r >= 4;
                case 0x20, 0x22 -> (d.reg != 1 && (d.reg & 7) != 5 && (d.reg & 7) != 6 && (d.reg & 7) != 7) || d.reg == 8;
                default -> true;
            };
        }
        return true;
    }

    /** LOCK is allowed only on read-modify-write forms with a memory destination (SDM Vol. 2, "LOCK"). */
    private static boolean lockable(final DecodedInsn d) {
        if (!d.hasMem || d.modrm < 0) {
            return false;
        }
        final int op = d.opcode;
        final int r = d.reg & 7;
        if (d.map == 0) {
            if (op < 0x40 && (op & 7) < 2 && (op & 0x38) != 0x38) {
                return true;
            }
            return switch (op) {
                case 0x80, 0x81, 0x82, 0x83 -> r != 7;
                case 0x86, 0x87 -> true;
                case 0xF6, 0xF7 -> r == 2 || r == 3;
                case 0xFE, 0xFF -> r < 2;
                default -> false;
            };
        }
        if (d.map == 1) {
            return switch (op) {
                case 0xAB, 0xB3, 0xBB, 0xB0, 0xB1, 0xC0, 0xC1 -> true;
                case 0xBA -> r >= 5;
                case 0xC7 -> r == 1;
                default -> false;
            };
        }
        return false;
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
        d.op = 0;
        return status;
    }
}
