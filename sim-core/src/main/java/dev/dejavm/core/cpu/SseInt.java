package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Prefix;
import dev.dejavm.decoder.Reg;

/**
 * MMX and the SSE/SSE2 integer and data-arrangement instructions of the 0F map: packed add/subtract (wrapping and
 * saturating), compares, min/max, averages, multiplies (PMULLW, PMULHW, PMULHUW, PMULUDQ, PMADDWD), PSADBW,
 * shifts by register or immediate (including PSLLDQ/PSRLDQ), packs and unpacks, PSHUFW/PSHUFD/PSHUFHW/PSHUFLW,
 * SHUFPS/SHUFPD, UNPCKL/HPS/PD, PMOVMSKB, MOVMSKPS/PD, PEXTRW/PINSRW, MOVD/MOVQ for MMX registers, MOVQ2DQ,
 * MOVDQ2Q, MOVLPS/MOVHPS/MOVLPD/MOVHPD/MOVHLPS/MOVLHPS, the non-temporal stores, MASKMOVQ/MASKMOVDQU, EMMS and
 * the MMX logic instructions; SSSE3 (PSHUFB, PHADD/PHSUB, PMADDUBSW, PSIGN, PMULHRSW, PABS, PALIGNR) in the 0F 38 and
 * 0F 3A maps.
 *
 * <p>MMX register n is the significand of x87 register Rn (SDM Vol. 1, 9.5): every MMX instruction but EMMS sets
 * TOP to 0 and all tags valid, a write sets the register's exponent field to all ones; EMMS empties the tags.
 * CR0.EM raises #UD, CR0.TS #NM, and a pending unmasked x87 exception #MF. The XMM forms need CR4.OSFXSR (#UD)
 * and 16-byte aligned memory operands (#GP(0)) except where the SDM says otherwise.
 */
final class SseInt {
    private SseInt() {
    }

    /** Opcodes of the 0F map handled here (the mnemonic and prefix decide the form). */
    static boolean handles(final int op) {
        return (op >= 0x60 && op <= 0x6D) || (op >= 0x70 && op <= 0x77) || (op >= 0xD1 && op <= 0xFE && op != 0xD6 && op != 0xFF)
            || op == 0x12 || op == 0x13 || op == 0x14 || op == 0x15 || op == 0x16 || op == 0x17 || op == 0x2B || op == 0x50
            || op == 0xC3 || op == 0xC4 || op == 0xC5 || op == 0xC6;
    }

    private static boolean mmx(final DecodedInsn d) {
        return (d.prefixes & (Prefix.OPSIZE | Prefix.REP | Prefix.REPNE)) == 0;
    }

    private static void checkMmx(final Interpreter c) {
        final CpuState s = c.s;
        if ((s.cr0 & CpuState.CR0_EM) != 0) {
            throw c.ud();
        }
        if ((s.cr0 & CpuState.CR0_TS) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
        if ((s.fpuStatus & 0x80) != 0 && (s.cr0 & CpuState.CR0_NE) != 0) {
            throw c.fault(Interpreter.VEC_MF);
        }
        s.fpuStatus &= ~0x3800; // TOP = 0
        s.fpuTag = 0;           // all valid
    }

    static void checkXmm(final Interpreter c) {
        final CpuState s = c.s;
        if ((s.cr0 & CpuState.CR0_EM) != 0 || (s.cr4 & CpuState.CR4_OSFXSR) == 0) {
            throw c.ud();
        }
        if ((s.cr0 & CpuState.CR0_TS) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
    }

    static void setMm(final CpuState s, final int n, final long v) {
        s.fpSig[n & 7] = v;
        s.fpExp[n & 7] = 0xFFFF;
    }

    // ---- lanes ---------------------------------------------------------------------------------------------

    static long get(final long[] v, final int bits, final int i) {
        final int bit = i * bits;
        final long w = v[bit >>> 6];
        return bits == 64 ? w : (w >>> (bit & 63)) & ((1L << bits) - 1);
    }

    static void put(final long[] v, final int bits, final int i, final long x) {
        final int bit = i * bits;
        if (bits == 64) {
            v[bit >>> 6] = x;
            return;
        }
        final long m = ((1L << bits) - 1) << (bit & 63);
        v[bit >>> 6] = (v[bit >>> 6] & ~m) | ((x << (bit & 63)) & m);
    }

    private static long sext(final long x, final int bits) {
        return bits == 64 ? x : (x << (64 - bits)) >> (64 - bits);
    }

    private static long satS(final long x, final int bits) {
        final long max = (1L << (bits - 1)) - 1;
        return Math.max(-max - 1, Math.min(max, x));
    }

    private static long satU(final long x, final int bits) {
        return Math.max(0, Math.min((1L << bits) - 1, x));
    }

    // ---- operands --------------------------------------------------------------------------------------------

    /** Loads destination (a) and source (b) operands; returns the width in bits (64 MMX, 128 XMM). */
    private static int operands(final Interpreter c, final DecodedInsn d, final boolean aligned) {
        final CpuState s = c.s;
        final long[] a = c.sseRes;
        final long[] b = c.sseSrc;
        if (mmx(d)) {
            checkMmx(c);
            a[0] = s.fpSig[d.reg & 7];
            a[1] = 0;
            b[0] = d.mod == 3 ? s.fpSig[d.rm & 7] : c.read64(c.memLin);
            b[1] = 0;
            return 64;
        }
        checkXmm(c);
        a[0] = s.xmm[2 * d.reg];
        a[1] = s.xmm[2 * d.reg + 1];
        if (d.mod == 3) {
            b[0] = s.xmm[2 * d.rm];
            b[1] = s.xmm[2 * d.rm + 1];
        } else {
            if (aligned && (c.memLin & 15) != 0) {
                throw c.gp(0);
            }
            b[0] = c.read64(c.memLin);
            b[1] = c.read64(c.truncLinear(c.memLin + 8));
        }
        return 128;
    }

    private static void writeBack(final Interpreter c, final DecodedInsn d, final int width) {
        final CpuState s = c.s;
        if (width == 64) {
            setMm(s, d.reg, c.sseRes[0]);
        } else {
            s.xmm[2 * d.reg] = c.sseRes[0];
            s.xmm[2 * d.reg + 1] = c.sseRes[1];
        }
    }

    // ---- dispatch -------------------------------------------------------------------------------------------

    static void execute(final Interpreter c, final DecodedInsn d) {
        final int op = d.opcode;
        switch (op) {
            case 0x77 -> { // EMMS
                if ((c.s.cr0 & CpuState.CR0_EM) != 0) {
                    throw c.ud();
                }
                if ((c.s.cr0 & CpuState.CR0_TS) != 0) {
                    throw c.fault(Interpreter.VEC_NM);
                }
                if ((c.s.fpuStatus & 0x80) != 0 && (c.s.cr0 & CpuState.CR0_NE) != 0) {
                    throw c.fault(Interpreter.VEC_MF); // a pending x87 exception is reported first
                }
                c.s.fpuTag = 0xFFFF;
            }
            case 0x6E, 0x7E, 0x6F, 0x7F -> mmxMove(c, d);
            case 0x12, 0x13, 0x16, 0x17, 0x14, 0x15, 0x50, 0x2B, 0xC3, 0xC6 -> FloatArrange.execute(c, d);
            case 0x70 -> shuffle(c, d);
            case 0x71, 0x72, 0x73 -> shiftImm(c, d);
            case 0xC4, 0xC5, 0xD7, 0xE7, 0xF7 -> special(c, d);
            default -> {
                final int w = operands(c, d, true);
                arith(c, op, w);
                writeBack(c, d, w);
            }
        }
    }

    /** The element-wise operations, by opcode. */
    private static void arith(final Interpreter c, final int op, final int width) {
        final long[] a = c.sseRes;
        final long[] b = c.sseSrc;
        switch (op) {
            case 0x60, 0x61, 0x62, 0x6C -> unpack(c, op == 0x60 ? 8 : op == 0x61 ? 16 : op == 0x62 ? 32 : 64, width, false);
            case 0x68, 0x69, 0x6A, 0x6D -> unpack(c, op == 0x68 ? 8 : op == 0x69 ? 16 : op == 0x6A ? 32 : 64, width, true);
            case 0x63, 0x67, 0x6B -> pack(c, op == 0x6B ? 32 : 16, op == 0x67, width);
            case 0xD1, 0xD2, 0xD3, 0xE1, 0xE2, 0xF1, 0xF2, 0xF3 -> {
                final long count = b[0]; // the low 64 bits of the source, unsigned
                final int bits = switch (op) {
                    case 0xD1, 0xE1, 0xF1 -> 16;
                    case 0xD2, 0xE2, 0xF2 -> 32;
                    default -> 64;
                };
                shift(a, bits, width, op >= 0xF1 ? 0 : op >= 0xE1 ? 2 : 1, count);
            }
            case 0xF6 -> { // PSADBW
                for (int q = 0; q < width / 64; q++) {
                    long sum = 0;
                    for (int i = 0; i < 8; i++) {
                        sum += Math.abs(get(a, 8, q * 8 + i) - get(b, 8, q * 8 + i));
                    }
                    a[q] = sum;
                }
            }
            case 0xF5 -> { // PMADDWD
                for (int i = 0; i < width / 32; i++) {
                    final long p = sext(get(a, 16, 2 * i), 16) * sext(get(b, 16, 2 * i), 16)
                        + sext(get(a, 16, 2 * i + 1), 16) * sext(get(b, 16, 2 * i + 1), 16);
                    put(a, 32, i, p);
                }
            }
            case 0xF4 -> { // PMULUDQ
                for (int q = 0; q < width / 64; q++) {
                    a[q] = (a[q] & 0xFFFFFFFFL) * (b[q] & 0xFFFFFFFFL);
                }
            }
            default -> lanes(a, b, op, width);
        }
    }

    /** Lane-by-lane binary operations. */
    private static void lanes(final long[] a, final long[] b, final int op, final int width) {
        final int bits = switch (op) {
            case 0x64, 0x74, 0xD8, 0xDA, 0xDC, 0xDE, 0xE0, 0xE8, 0xEC, 0xF8, 0xFC -> 8;
            case 0x65, 0x75, 0xD5, 0xD9, 0xDD, 0xE3, 0xE4, 0xE5, 0xE9, 0xEA, 0xED, 0xEE, 0xF9, 0xFD -> 16;
            case 0x66, 0x76, 0xFA, 0xFE -> 32;
            default -> 64; // D4, FB, DB, DF, EB, EF
        };
        final int n = width / bits;
        for (int i = 0; i < n; i++) {
            final long x = get(a, bits, i);
            final long y = get(b, bits, i);
            final long r = switch (op) {
                case 0xFC, 0xFD, 0xFE, 0xD4 -> x + y;
                case 0xF8, 0xF9, 0xFA, 0xFB -> x - y;
                case 0xEC, 0xED -> satS(sext(x, bits) + sext(y, bits), bits);
                case 0xE8, 0xE9 -> satS(sext(x, bits) - sext(y, bits), bits);
                case 0xDC, 0xDD -> satU(x + y, bits);
                case 0xD8, 0xD9 -> satU(x - y, bits);
                case 0x74, 0x75, 0x76 -> x == y ? -1 : 0;
                case 0x64, 0x65, 0x66 -> sext(x, bits) > sext(y, bits) ? -1 : 0;
                case 0xDA -> Math.min(x, y);
                case 0xDE -> Math.max(x, y);
                case 0xEA -> Math.min(sext(x, bits), sext(y, bits));
                case 0xEE -> Math.max(sext(x, bits), sext(y, bits));
                case 0xE0, 0xE3 -> (x + y + 1) >>> 1;
                case 0xD5 -> x * y;
                case 0xE5 -> (sext(x, bits) * sext(y, bits)) >> 16;
                case 0xE4 -> (x * y) >>> 16;
                case 0xDB -> x & y;
                case 0xDF -> ~x & y;
                case 0xEB -> x | y;
                default -> x ^ y; // EF
            };
            put(a, bits, i, r);
        }
    }

    /** Unpack (interleave) low or high halves: dest lanes in even positions, source lanes in odd. */
    private static void unpack(final Interpreter c, final int bits, final int width, final boolean high) {
        final long[] a = c.sseRes;
        final long[] b = c.sseSrc;
        final long[] t = c.sseTmp;
        final int half = width / bits / 2;
        final int from = high ? half : 0;
        t[0] = 0;
        t[1] = 0;
        for (int i = 0; i < half; i++) {
            put(t, bits, 2 * i, get(a, bits, from + i));
            put(t, bits, 2 * i + 1, get(b, bits, from + i));
        }
        a[0] = t[0];
        a[1] = t[1];
    }

    /** PACKSSWB (16 -> 8 signed), PACKUSWB (16 -> 8 unsigned), PACKSSDW (32 -> 16 signed). */
    private static void pack(final Interpreter c, final int bits, final boolean unsigned, final int width) {
        final long[] a = c.sseRes;
        final long[] b = c.sseSrc;
        final long[] t = c.sseTmp;
        final int n = width / bits;
        t[0] = 0;
        t[1] = 0;
        for (int i = 0; i < 2 * n; i++) {
            final long x = sext(i < n ? get(a, bits, i) : get(b, bits, i - n), bits);
            put(t, bits / 2, i, unsigned ? satU(x, bits / 2) : satS(x, bits / 2));
        }
        a[0] = t[0];
        a[1] = t[1];
    }

    /** kind 0 left, 1 right logical, 2 right arithmetic; a count beyond the lane clears it (or fills the sign). */
    private static void shift(final long[] a, final int bits, final int width, final int kind, final long count) {
        for (int i = 0; i < width / bits; i++) {
            final long x = get(a, bits, i);
            final long r;
            if (Long.compareUnsigned(count, bits - 1) > 0) {
                r = kind == 2 ? (sext(x, bits) < 0 ? -1 : 0) : 0;
            } else {
                final int k = (int) count;
                r = switch (kind) {
                    case 0 -> x << k;
                    case 1 -> x >>> k;
                    default -> sext(x, bits) >> k;
                };
            }
            put(a, bits, i, r);
        }
    }

    /** 71/72/73 groups: shifts by an immediate; 73 /3 PSRLDQ and /7 PSLLDQ shift the whole XMM register by bytes. */
    private static void shiftImm(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int r = d.reg & 7;
        final boolean mm = mmx(d);
        if (mm) {
            checkMmx(c);
        } else {
            checkXmm(c);
        }
        final long[] a = c.sseRes;
        final int n = mm ? d.rm & 7 : d.rm;
        a[0] = mm ? s.fpSig[n] : s.xmm[2 * n];
        a[1] = mm ? 0 : s.xmm[2 * n + 1];
        final int width = mm ? 64 : 128;
        final long count = d.imm & 0xFF;
        if (d.opcode == 0x73 && (r == 3 || r == 7)) {
            if (mm) {
                throw c.ud();
            }
            final int sh = 8 * (int) Math.min(count, 16);
            final long lo = a[0];
            final long hi = a[1];
            if (r == 3) { // PSRLDQ
                a[0] = shr128lo(lo, hi, sh);
                a[1] = sh >= 64 ? 0 : hi >>> sh;
            } else {      // PSLLDQ
                a[1] = shl128hi(lo, hi, sh);
                a[0] = sh >= 64 ? 0 : lo << sh;
            }
        } else {
            final int bits = d.opcode == 0x71 ? 16 : d.opcode == 0x72 ? 32 : 64;
            final int kind = r == 6 ? 0 : r == 2 ? 1 : 2;
            if ((r != 2 && r != 4 && r != 6) || (kind == 2 && bits == 64)) {
                throw c.ud();
            }
            shift(a, bits, width, kind, count);
        }
        if (mm) {
            setMm(s, n, a[0]);
        } else {
            s.xmm[2 * n] = a[0];
            s.xmm[2 * n + 1] = a[1];
        }
    }

    private static long shr128lo(final long lo, final long hi, final int bits) {
        if (bits == 0) {
            return lo;
        }
        if (bits >= 128) {
            return 0;
        }
        if (bits >= 64) {
            return bits == 64 ? hi : hi >>> (bits - 64);
        }
        return (lo >>> bits) | (hi << (64 - bits));
    }

    private static long shl128hi(final long lo, final long hi, final int bits) {
        if (bits == 0) {
            return hi;
        }
        if (bits >= 128) {
            return 0;
        }
        if (bits >= 64) {
            return bits == 64 ? lo : lo << (bits - 64);
        }
        return (hi << bits) | (lo >>> (64 - bits));
    }

    /** 0F 70: PSHUFW (MMX), PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2). */
    private static void shuffle(final Interpreter c, final DecodedInsn d) {
        final int imm = (int) d.imm & 0xFF;
        final boolean mm = mmx(d);
        final int w = operands(c, d, true);
        final long[] a = c.sseRes;
        final long[] b = c.sseSrc;
        if (mm) {
            for (int i = 0; i < 4; i++) {
                put(a, 16, i, get(b, 16, (imm >> (2 * i)) & 3));
            }
        } else if ((d.prefixes & Prefix.OPSIZE) != 0) {
            for (int i = 0; i < 4; i++) {
                put(a, 32, i, get(b, 32, (imm >> (2 * i)) & 3));
            }
        } else {
            final int base = (d.prefixes & Prefix.REP) != 0 ? 4 : 0; // PSHUFHW shuffles the high words
            a[0] = b[0];
            a[1] = b[1];
            for (int i = 0; i < 4; i++) {
                put(a, 16, base + i, get(b, 16, base + ((imm >> (2 * i)) & 3)));
            }
        }
        writeBack(c, d, w);
    }

    /** MOVD/MOVQ with MMX registers: 0F 6E, 7E (r/m32 or r/m64 with REX.W), 6F, 7F (mm/m64). */
    private static void mmxMove(final Interpreter c, final DecodedInsn d) {
        checkMmx(c);
        final CpuState s = c.s;
        final int bits = (d.rex & 8) != 0 ? 64 : 32;
        switch (d.opcode) {
            case 0x6E -> setMm(s, d.reg, c.readRm(bits) & Interpreter.mask(bits));
            case 0x7E -> c.writeRm(bits, s.fpSig[d.reg & 7] & Interpreter.mask(bits));
            case 0x6F -> setMm(s, d.reg, d.mod == 3 ? s.fpSig[d.rm & 7] : c.read64(c.memLin));
            default -> {
                if (d.mod == 3) {
                    setMm(s, d.rm, s.fpSig[d.reg & 7]);
                } else {
                    c.write64(c.memLin, s.fpSig[d.reg & 7]);
                }
            }
        }
    }

    /** PINSRW, PEXTRW, PMOVMSKB, MOVNTQ/MOVNTDQ, MASKMOVQ/MASKMOVDQU. */
    private static void special(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final boolean mm = mmx(d);
        if (mm) {
            checkMmx(c);
        } else {
            checkXmm(c);
        }
        final long[] a = c.sseRes;
        final int n = mm ? d.reg & 7 : d.reg;
        a[0] = mm ? s.fpSig[n] : s.xmm[2 * n];
        a[1] = mm ? 0 : s.xmm[2 * n + 1];
        final int words = mm ? 4 : 8;
        switch (d.opcode) {
            case 0xC4 -> { // PINSRW
                final long v = d.mod == 3 ? c.getReg(d.rm, 32) : c.read16(c.memLin);
                put(a, 16, (int) (d.imm & (words - 1)), v);
                if (mm) {
                    setMm(s, n, a[0]);
                } else {
                    s.xmm[2 * n] = a[0];
                    s.xmm[2 * n + 1] = a[1];
                }
            }
            case 0xC5 -> { // PEXTRW r32, mm/xmm, imm (source in ModRM.rm)
                if (d.mod != 3) {
                    throw c.ud();
                }
                final long[] src = c.sseSrc;
                src[0] = mm ? s.fpSig[d.rm & 7] : s.xmm[2 * d.rm];
                src[1] = mm ? 0 : s.xmm[2 * d.rm + 1];
                c.setReg(d.reg, d.opSize == 64 ? 64 : 32, get(src, 16, (int) (d.imm & (words - 1))));
            }
            case 0xD7 -> { // PMOVMSKB r32, mm/xmm
                if (d.mod != 3) {
                    throw c.ud();
                }
                final long[] src = c.sseSrc;
                src[0] = mm ? s.fpSig[d.rm & 7] : s.xmm[2 * d.rm];
                src[1] = mm ? 0 : s.xmm[2 * d.rm + 1];
                long mask = 0;
                for (int i = 0; i < words * 2; i++) {
                    mask |= ((get(src, 8, i) >> 7) & 1) << i;
                }
                c.setReg(d.reg, d.opSize == 64 ? 64 : 32, mask);
            }
            case 0xE7 -> { // MOVNTQ m64, mm / MOVNTDQ m128, xmm
                if (d.mod == 3) {
                    throw c.ud();
                }
                if (mm) {
                    c.write64(c.memLin, a[0]);
                } else {
                    storeAligned(c, a[0], a[1]);
                }
            }
            default -> { // F7: MASKMOVQ / MASKMOVDQU: bytes of reg whose mask byte (in rm) has bit 7 set go to DS:rDI
                if (d.mod != 3) {
                    throw c.ud();
                }
                final long[] m = c.sseSrc;
                m[0] = mm ? s.fpSig[d.rm & 7] : s.xmm[2 * d.rm];
                m[1] = mm ? 0 : s.xmm[2 * d.rm + 1];
                final long di = s.gpr[Reg.RDI] & Interpreter.mask(d.addrSize);
                for (int i = 0; i < words * 2; i++) {
                    if ((get(m, 8, i) & 0x80) != 0) {
                        c.write8(c.segLinear(d.segOverride >= 0 ? d.segOverride : CpuState.DS, (di + i) & Interpreter.mask(d.addrSize), 1),
                                (int) get(a, 8, i));
                    }
                }
            }
        }
    }

    /** A 16-byte aligned 128-bit store (#GP(0) otherwise), both halves checked before writing. */
    static void storeAligned(final Interpreter c, final long lo, final long hi) {
        if ((c.memLin & 15) != 0) {
            throw c.gp(0);
        }
        c.translate(c.memLin, Interpreter.ACCESS_WRITE);
        c.translate(c.truncLinear(c.memLin + 15), Interpreter.ACCESS_WRITE);
        c.write64(c.memLin, lo);
        c.write64(c.truncLinear(c.memLin + 8), hi);
    }

    // ---- SSSE3 (0F 38 and 0F 3A 0F), MMX and XMM forms -------------------------------------------------------

    /**
     * 0F 38 00-0B and 1C-1E: PSHUFB, PHADDW/D/SW, PMADDUBSW, PHSUBW/D/SW, PSIGNB/W/D, PMULHRSW, PABSB/W/D. Other
     * 0F 38 opcodes (SSE4.1/4.2, ...) are not implemented (#UD).
     */
    static void map38(final Interpreter c, final DecodedInsn d) {
        if ((d.opcode == 0xF0 || d.opcode == 0xF1) && (d.prefixes & Prefix.REPNE) != 0) {
            Sse4.crc32(c, d);
            return;
        }
        if (Sse4.handles38(d)) {
            Sse4.map38(c, d);
            return;
        }
        final int op = d.opcode;
        if (!(op <= 0x0B || (op >= 0x1C && op <= 0x1E)) || (d.prefixes & (Prefix.REP | Prefix.REPNE)) != 0) {
            throw c.ud();
        }
        final int w = operands(c, d, true);
        final long[] a = c.sseRes;
        final long[] b = c.sseSrc;
        final long[] t = c.sseTmp;
        t[0] = 0;
        t[1] = 0;
        switch (op) {
            case 0x00 -> { // PSHUFB
                final int n = w / 8;
                for (int i = 0; i < n; i++) {
                    final long sel = get(b, 8, i);
                    put(t, 8, i, (sel & 0x80) != 0 ? 0 : get(a, 8, (int) (sel & (n - 1))));
                }
            }
            case 0x01, 0x02, 0x03, 0x05, 0x06, 0x07 -> { // horizontal add/subtract: dest pairs, then source pairs
                final int bits = op == 0x02 || op == 0x06 ? 32 : 16;
                final boolean sub = op >= 0x05;
                final boolean sat = op == 0x03 || op == 0x07;
                final int half = w / bits / 2;
                for (int i = 0; i < 2 * half; i++) {
                    final long[] v = i < half ? a : b;
                    final int j = i < half ? i : i - half;
                    final long x = sext(get(v, bits, 2 * j), bits);
                    final long y = sext(get(v, bits, 2 * j + 1), bits);
                    final long r = sub ? x - y : x + y;
                    put(t, bits, i, sat ? satS(r, bits) : r);
                }
            }
            case 0x04 -> { // PMADDUBSW: unsigned bytes of dest × signed bytes of source, pairs summed with saturation
                for (int i = 0; i < w / 16; i++) {
                    final long r = get(a, 8, 2 * i) * sext(get(b, 8, 2 * i), 8) + get(a, 8, 2 * i + 1) * sext(get(b, 8, 2 * i + 1), 8);
                    put(t, 16, i, satS(r, 16));
                }
            }
            case 0x08, 0x09, 0x0A -> { // PSIGNB/W/D
                final int bits = op == 0x08 ? 8 : op == 0x09 ? 16 : 32;
                for (int i = 0; i < w / bits; i++) {
                    final long y = sext(get(b, bits, i), bits);
                    put(t, bits, i, y < 0 ? -get(a, bits, i) : y == 0 ? 0 : get(a, bits, i));
                }
            }
            case 0x0B -> { // PMULHRSW
                for (int i = 0; i < w / 16; i++) {
                    final long p = sext(get(a, 16, i), 16) * sext(get(b, 16, i), 16);
                    put(t, 16, i, ((p >> 14) + 1) >> 1);
                }
            }
            default -> { // 1C-1E PABSB/W/D of the source
                final int bits = op == 0x1C ? 8 : op == 0x1D ? 16 : 32;
                for (int i = 0; i < w / bits; i++) {
                    put(t, bits, i, Math.abs(sext(get(b, bits, i), bits)));
                }
            }
        }
        a[0] = t[0];
        a[1] = t[1];
        writeBack(c, d, w);
    }

    /** 0F 3A 0F PALIGNR: (dest:source) shifted right by imm8 bytes; other 0F 3A opcodes raise #UD. */
    static void map3a(final Interpreter c, final DecodedInsn d) {
        if (Sse4.handles3a(d)) {
            Sse4.map3a(c, d);
            return;
        }
        if (d.opcode != 0x0F || (d.prefixes & (Prefix.REP | Prefix.REPNE)) != 0) {
            throw c.ud();
        }
        final int w = operands(c, d, true);
        final long[] a = c.sseRes;
        final long[] b = c.sseSrc;
        final long[] t = c.sseTmp;
        final int n = w / 8;
        final int k = (int) (d.imm & 0xFF);
        t[0] = 0;
        t[1] = 0;
        for (int i = 0; i < n; i++) {
            final int j = i + k; // byte j of the 2n-byte concatenation, source in the low half
            put(t, 8, i, j < n ? get(b, 8, j) : j < 2 * n ? get(a, 8, j - n) : 0);
        }
        a[0] = t[0];
        a[1] = t[1];
        writeBack(c, d, w);
    }
}
