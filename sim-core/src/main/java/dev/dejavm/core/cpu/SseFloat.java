package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.gen.Mnemonic;

/**
 * SSE and SSE2 floating point, packed and scalar, single and double: ADD, SUB, MUL, DIV, SQRT, MIN, MAX, CMP (the
 * eight predicates), COMIS/UCOMIS, and the conversions between single, double and 32/64-bit integers
 * (CVTSI2SS/SD, CVT[T]SS2SI/SD2SI, CVTSS2SD, CVTSD2SS, CVTPS2PD, CVTPD2PS, CVTDQ2PS, CVT[T]PS2DQ, CVTDQ2PD,
 * CVT[T]PD2DQ). The arithmetic is {@link Fp80}'s exact computation rounded once to the destination format, with
 * MXCSR's rounding control, DAZ (denormal inputs read as zero), FTZ (tiny results flushed to zero with UE and
 * PE), the exception flags and masks; SSE's NaN rules (the first source operand's NaN; the QNaN indefinite for
 * invalid operations; MIN/MAX return the second operand for NaNs and for two zeros). An unmasked exception leaves
 * every destination unchanged, sets the flags of all elements, and raises #XM with CR4.OSXMMEXCPT, else #UD
 * (SDM Vol. 1, 11.5). RCPPS/RSQRTPS (approximations), the MMX forms (CVTPI2PS ...) and SSE3's horizontal forms
 * are not implemented (#UD).
 */
final class SseFloat {
    private static final int MXCSR_DAZ = 0x40;
    private static final int MXCSR_FTZ = 0x8000;

    private SseFloat() {
    }

    static boolean handles(final int m) {
        return m == Mnemonic.ADDPS || m == Mnemonic.ADDPD || m == Mnemonic.ADDSS || m == Mnemonic.ADDSD
            || m == Mnemonic.SUBPS || m == Mnemonic.SUBPD || m == Mnemonic.SUBSS || m == Mnemonic.SUBSD
            || m == Mnemonic.MULPS || m == Mnemonic.MULPD || m == Mnemonic.MULSS || m == Mnemonic.MULSD
            || m == Mnemonic.DIVPS || m == Mnemonic.DIVPD || m == Mnemonic.DIVSS || m == Mnemonic.DIVSD
            || m == Mnemonic.SQRTPS || m == Mnemonic.SQRTPD || m == Mnemonic.SQRTSS || m == Mnemonic.SQRTSD
            || m == Mnemonic.MINPS || m == Mnemonic.MINPD || m == Mnemonic.MINSS || m == Mnemonic.MINSD
            || m == Mnemonic.MAXPS || m == Mnemonic.MAXPD || m == Mnemonic.MAXSS || m == Mnemonic.MAXSD
            || m == Mnemonic.CMPPS || m == Mnemonic.CMPPD || m == Mnemonic.CMPSS || m == Mnemonic.CMPSD
            || m == Mnemonic.COMISS || m == Mnemonic.COMISD || m == Mnemonic.UCOMISS || m == Mnemonic.UCOMISD
            || m == Mnemonic.CVTSI2SS || m == Mnemonic.CVTSI2SD || m == Mnemonic.CVTSS2SI || m == Mnemonic.CVTSD2SI
            || m == Mnemonic.CVTTSS2SI || m == Mnemonic.CVTTSD2SI || m == Mnemonic.CVTSS2SD || m == Mnemonic.CVTSD2SS
            || m == Mnemonic.CVTPS2PD || m == Mnemonic.CVTPD2PS || m == Mnemonic.CVTDQ2PS || m == Mnemonic.CVTPS2DQ
            || m == Mnemonic.CVTTPS2DQ || m == Mnemonic.CVTDQ2PD || m == Mnemonic.CVTPD2DQ || m == Mnemonic.CVTTPD2DQ
            || m == Mnemonic.CVTPI2PS || m == Mnemonic.CVTPS2PI || m == Mnemonic.CVTTPS2PI || m == Mnemonic.CVTPI2PD
            || m == Mnemonic.CVTPD2PI || m == Mnemonic.CVTTPD2PI || m == Mnemonic.RCPPS || m == Mnemonic.RCPSS
            || m == Mnemonic.RSQRTPS || m == Mnemonic.RSQRTSS;
    }

    // ---- operands ----------------------------------------------------------------------------------------

    /** The source operand's bits 127:0 into c.sseSrc (a memory operand reads {@code bytes} bytes). */
    private static void source(final Interpreter c, final DecodedInsn d, final int bytes, final boolean aligned) {
        final long[] src = c.sseSrc;
        if (d.mod == 3) {
            src[0] = c.s.xmm[2 * d.rm];
            src[1] = c.s.xmm[2 * d.rm + 1];
            return;
        }
        if (aligned && bytes == 16 && (c.memLin & 15) != 0) {
            throw c.gp(0);
        }
        src[0] = bytes == 4 ? c.read32(c.memLin) & 0xFFFFFFFFL : c.read64(c.memLin);
        src[1] = bytes == 16 ? c.read64(c.truncLinear(c.memLin + 8)) : 0;
    }

    private static long lane(final long[] v, final int i, final boolean dbl) {
        return dbl ? v[i] : (v[i >> 1] >>> (32 * (i & 1))) & 0xFFFFFFFFL;
    }

    private static void setLane(final long[] v, final int i, final boolean dbl, final long x) {
        if (dbl) {
            v[i] = x;
        } else {
            final int sh = 32 * (i & 1);
            v[i >> 1] = (v[i >> 1] & ~(0xFFFFFFFFL << sh)) | (x & 0xFFFFFFFFL) << sh;
        }
    }

    /** Loads a single or double into f (se/sig), applying DAZ; returns the conversion's flags (DE, SNaN kept). */
    private static int load(final Fp80 f, final long bits, final boolean dbl, final boolean daz) {
        final boolean denormal = dbl ? (bits & 0x7FF0_0000_0000_0000L) == 0 && (bits & 0xF_FFFF_FFFF_FFFFL) != 0
            : (bits & 0x7F800000L) == 0 && (bits & 0x7FFFFFL) != 0;
        if (denormal && daz) {
            f.se = dbl ? (int) (bits >>> 48) & 0x8000 : (int) (bits >>> 16) & 0x8000;
            f.sig = 0;
            return 0;
        }
        if (dbl) {
            f.fromF64(bits, false);
        } else {
            f.fromF32((int) bits, false);
        }
        return f.flags;
    }

    /** The 80-bit result in f (exactly representable) to single/double bits, FTZ applied by the caller. */
    private static long store(final Fp80 f, final boolean dbl) {
        final int flags = f.flags;
        final boolean up = f.roundedUp;
        final boolean tiny = f.lastTiny;
        final long v = dbl ? f.toF64(f.se, f.sig) : f.toF32(f.se, f.sig) & 0xFFFFFFFFL;
        f.flags = flags;
        f.roundedUp = up;
        f.lastTiny = tiny;
        return v;
    }

    private static void checkSse(final Interpreter c) {
        final CpuState s = c.s;
        if ((s.cr0 & CpuState.CR0_EM) != 0 || (s.cr4 & CpuState.CR4_OSFXSR) == 0) {
            throw c.ud();
        }
        if ((s.cr0 & CpuState.CR0_TS) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
    }

    /** Adds the flags to MXCSR; if any is unmasked, raises #XM (or #UD without CR4.OSXMMEXCPT). */
    private static void finish(final Interpreter c, final int flags) {
        final CpuState s = c.s;
        s.mxcsr |= flags & 0x3F;
        if ((flags & ~(s.mxcsr >> 7) & 0x3F) != 0) {
            throw (s.cr4 & CpuState.CR4_OSXMMEXCPT) != 0 ? c.fault(Interpreter.VEC_XM) : c.ud();
        }
    }

    private static void setup(final Fp80 f, final int mxcsr, final boolean dbl) {
        f.rc = (mxcsr >> 13) & 3;
        f.masks = (mxcsr >> 7) & 0x3F;
        f.target(dbl ? 53 : 24);
        f.sseNaN = true;
    }

    // ---- execution ----------------------------------------------------------------------------------------

    static void execute(final Interpreter c, final DecodedInsn d) {
        checkSse(c);
        final int m = d.mnemonic;
        if (m == Mnemonic.COMISS || m == Mnemonic.COMISD || m == Mnemonic.UCOMISS || m == Mnemonic.UCOMISD) {
            comis(c, d, m == Mnemonic.COMISD || m == Mnemonic.UCOMISD, m == Mnemonic.UCOMISS || m == Mnemonic.UCOMISD);
        } else if (m == Mnemonic.CVTSI2SS || m == Mnemonic.CVTSI2SD) {
            cvtFromInt(c, d, m == Mnemonic.CVTSI2SD);
        } else if (m == Mnemonic.CVTSS2SI || m == Mnemonic.CVTSD2SI || m == Mnemonic.CVTTSS2SI || m == Mnemonic.CVTTSD2SI) {
            cvtToInt(c, d, m == Mnemonic.CVTSD2SI || m == Mnemonic.CVTTSD2SI, m == Mnemonic.CVTTSS2SI || m == Mnemonic.CVTTSD2SI);
        } else if (m == Mnemonic.CVTSS2SD || m == Mnemonic.CVTSD2SS || m == Mnemonic.CVTPS2PD || m == Mnemonic.CVTPD2PS) {
            cvtFloat(c, d, m);
        } else if (m == Mnemonic.CVTDQ2PS || m == Mnemonic.CVTPS2DQ || m == Mnemonic.CVTTPS2DQ || m == Mnemonic.CVTDQ2PD
                || m == Mnemonic.CVTPD2DQ || m == Mnemonic.CVTTPD2DQ) {
            cvtPacked(c, d, m);
        } else if (m == Mnemonic.CVTPI2PS || m == Mnemonic.CVTPS2PI || m == Mnemonic.CVTTPS2PI || m == Mnemonic.CVTPI2PD
                || m == Mnemonic.CVTPD2PI || m == Mnemonic.CVTTPD2PI) {
            cvtMmx(c, d, m);
        } else if (m == Mnemonic.RCPPS || m == Mnemonic.RCPSS || m == Mnemonic.RSQRTPS || m == Mnemonic.RSQRTSS) {
            approximate(c, d, m == Mnemonic.RSQRTPS || m == Mnemonic.RSQRTSS, m == Mnemonic.RCPSS || m == Mnemonic.RSQRTSS);
        } else {
            arith(c, d, m);
        }
    }

    private static boolean isDouble(final int m) {
        return m == Mnemonic.ADDPD || m == Mnemonic.ADDSD || m == Mnemonic.SUBPD || m == Mnemonic.SUBSD
            || m == Mnemonic.MULPD || m == Mnemonic.MULSD || m == Mnemonic.DIVPD || m == Mnemonic.DIVSD
            || m == Mnemonic.SQRTPD || m == Mnemonic.SQRTSD || m == Mnemonic.MINPD || m == Mnemonic.MINSD
            || m == Mnemonic.MAXPD || m == Mnemonic.MAXSD || m == Mnemonic.CMPPD || m == Mnemonic.CMPSD;
    }

    private static boolean isScalar(final int m) {
        return m == Mnemonic.ADDSS || m == Mnemonic.ADDSD || m == Mnemonic.SUBSS || m == Mnemonic.SUBSD
            || m == Mnemonic.MULSS || m == Mnemonic.MULSD || m == Mnemonic.DIVSS || m == Mnemonic.DIVSD
            || m == Mnemonic.SQRTSS || m == Mnemonic.SQRTSD || m == Mnemonic.MINSS || m == Mnemonic.MINSD
            || m == Mnemonic.MAXSS || m == Mnemonic.MAXSD || m == Mnemonic.CMPSS || m == Mnemonic.CMPSD;
    }

    /** 0 add, 1 sub, 2 mul, 3 div, 4 sqrt, 5 min, 6 max, 7 cmp. */
    private static int opOf(final int m) {
        if (m == Mnemonic.ADDPS || m == Mnemonic.ADDPD || m == Mnemonic.ADDSS || m == Mnemonic.ADDSD) {
            return 0;
        }
        if (m == Mnemonic.SUBPS || m == Mnemonic.SUBPD || m == Mnemonic.SUBSS || m == Mnemonic.SUBSD) {
            return 1;
        }
        if (m == Mnemonic.MULPS || m == Mnemonic.MULPD || m == Mnemonic.MULSS || m == Mnemonic.MULSD) {
            return 2;
        }
        if (m == Mnemonic.DIVPS || m == Mnemonic.DIVPD || m == Mnemonic.DIVSS || m == Mnemonic.DIVSD) {
            return 3;
        }
        if (m == Mnemonic.SQRTPS || m == Mnemonic.SQRTPD || m == Mnemonic.SQRTSS || m == Mnemonic.SQRTSD) {
            return 4;
        }
        if (m == Mnemonic.MINPS || m == Mnemonic.MINPD || m == Mnemonic.MINSS || m == Mnemonic.MINSD) {
            return 5;
        }
        if (m == Mnemonic.MAXPS || m == Mnemonic.MAXPD || m == Mnemonic.MAXSS || m == Mnemonic.MAXSD) {
            return 6;
        }
        return 7;
    }

    private static void arith(final Interpreter c, final DecodedInsn d, final int m) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        final boolean dbl = isDouble(m);
        final boolean scalar = isScalar(m);
        final int op = opOf(m);
        final int lanes = scalar ? 1 : dbl ? 2 : 4;
        source(c, d, scalar ? (dbl ? 8 : 4) : 16, !scalar);
        final long[] src = c.sseSrc;
        final long[] res = c.sseRes;
        res[0] = s.xmm[2 * d.reg];
        res[1] = s.xmm[2 * d.reg + 1];
        final boolean daz = (s.mxcsr & MXCSR_DAZ) != 0;
        final boolean ftz = (s.mxcsr & MXCSR_FTZ) != 0;
        final int pred = (int) d.imm & 7;
        int flags = 0;
        for (int i = 0; i < lanes; i++) {
            final long a = lane(res, i, dbl);
            final long b = lane(src, i, dbl);
            setup(f, s.mxcsr, dbl);
            final int aIn = load(f, a, dbl, daz);
            final int aSe = f.se;
            final long aSig = f.sig;
            final int bIn = load(f, b, dbl, daz);
            final int bSe = f.se;
            final long bSig = f.sig;
            final int inFlags = op == 4 ? bIn : aIn | bIn; // SQRT reads only the source
            final boolean nan = Fp80.isNaN(bSe, bSig) || op != 4 && Fp80.isNaN(aSe, aSig);
            setup(f, s.mxcsr, dbl);
            long out;
            if (op == 7) {
                final boolean signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
                final int cmp = f.compare(aSe, aSig, bSe, bSig, !signaling);
                final boolean r = switch (pred) {
                    case 0 -> cmp == 0;
                    case 1 -> cmp == -1;
                    case 2 -> cmp == -1 || cmp == 0;
                    case 3 -> cmp == 2;
                    case 4 -> cmp != 0;
                    case 5 -> cmp != -1;
                    case 6 -> cmp == 1 || cmp == 2;
                    default -> cmp != 2;
                };
                out = r ? -1L : 0;
                flags |= nanPrecedence(f.flags, inFlags, nan);
            } else if (op == 5 || op == 6) {
                final int cmp = f.compare(aSe, aSig, bSe, bSig, false);
                final boolean takeFirst = op == 5 ? cmp == -1 : cmp == 1;
                out = takeFirst ? a : b;
                if (daz) { // a denormal operand read as zero is also returned as zero
                    out = takeFirst ? zeroIfDenormal(a, dbl) : zeroIfDenormal(b, dbl);
                }
                flags |= nanPrecedence(f.flags, inFlags, nan);
            } else {
                switch (op) {
                    case 0 -> f.add(aSe, aSig, bSe, bSig, false);
                    case 1 -> f.add(aSe, aSig, bSe, bSig, true);
                    case 2 -> f.mul(aSe, aSig, bSe, bSig);
                    case 3 -> f.div(aSe, aSig, bSe, bSig);
                    default -> f.sqrt(bSe, bSig);
                }
                final int opFlags = f.flags;
                out = store(f, dbl);
                int all = nanPrecedence(opFlags, inFlags, nan);
                if (f.lastTiny && (all & Fp80.IE) == 0) {
                    if ((f.masks & Fp80.UE) == 0) {
                        all |= Fp80.UE;
                    } else if (ftz) {
                        out = dbl ? out & Long.MIN_VALUE : out & 0x80000000L;
                        all |= Fp80.UE | Fp80.PE;
                    }
                }
                flags |= all;
            }
            setLane(res, i, dbl, out);
        }
        finish(c, flags);
        s.xmm[2 * d.reg] = res[0];
        s.xmm[2 * d.reg + 1] = res[1];
    }

    private static long zeroIfDenormal(final long v, final boolean dbl) {
        if (dbl) {
            return (v & 0x7FF0_0000_0000_0000L) == 0 ? v & Long.MIN_VALUE : v;
        }
        return (v & 0x7F800000L) == 0 ? v & 0x80000000L : v;
    }

    /** A NaN operand, an invalid operation or a division by zero takes precedence over a denormal operand (SDM Vol. 1, 4.9.2). */
    private static int nanPrecedence(final int opFlags, final int inFlags, final boolean nan) {
        final int all = opFlags | inFlags;
        return nan || (all & (Fp80.IE | Fp80.ZE)) != 0 ? all & ~Fp80.DE : all;
    }

    private static void comis(final Interpreter c, final DecodedInsn d, final boolean dbl, final boolean quiet) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        source(c, d, dbl ? 8 : 4, false);
        final boolean daz = (s.mxcsr & MXCSR_DAZ) != 0;
        setup(f, s.mxcsr, dbl);
        int inFlags = load(f, dbl ? s.xmm[2 * d.reg] : s.xmm[2 * d.reg] & 0xFFFFFFFFL, dbl, daz);
        final int aSe = f.se;
        final long aSig = f.sig;
        inFlags |= load(f, c.sseSrc[0], dbl, daz);
        final boolean nan = Fp80.isNaN(aSe, aSig) || Fp80.isNaN(f.se, f.sig);
        final int cmp = f.compare(aSe, aSig, f.se, f.sig, quiet);
        finish(c, nanPrecedence(f.flags, inFlags, nan));
        s.rflags &= ~(CpuState.OF | CpuState.SF | CpuState.AF | CpuState.ZF | CpuState.PF | CpuState.CF);
        s.rflags |= switch (cmp) {
            case -1 -> CpuState.CF;
            case 0 -> CpuState.ZF;
            case 1 -> 0L;
            default -> CpuState.ZF | CpuState.PF | CpuState.CF;
        };
    }

    private static void cvtFromInt(final Interpreter c, final DecodedInsn d, final boolean dbl) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        final int bits = d.opSize == 64 ? 64 : 32;
        final long v = bits == 64 ? c.readRm(64) : (int) c.readRm(32);
        setup(f, s.mxcsr, dbl);
        f.fromInt(v);
        final long out = dbl ? f.toF64(f.se, f.sig) : f.toF32(f.se, f.sig) & 0xFFFFFFFFL;
        finish(c, f.flags);
        if (dbl) {
            s.xmm[2 * d.reg] = out;
        } else {
            s.xmm[2 * d.reg] = (s.xmm[2 * d.reg] & ~0xFFFFFFFFL) | out;
        }
    }

    private static void cvtToInt(final Interpreter c, final DecodedInsn d, final boolean dbl, final boolean truncate) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        source(c, d, dbl ? 8 : 4, false);
        final int bits = d.opSize == 64 ? 64 : 32;
        setup(f, s.mxcsr, dbl);
        load(f, c.sseSrc[0], dbl, (s.mxcsr & MXCSR_DAZ) != 0); // conversions to integers raise no DE
        final long v = f.toInt(f.se, f.sig, bits, truncate);
        finish(c, f.flags);
        c.setReg(d.reg, bits, v);
    }

    private static void cvtFloat(final Interpreter c, final DecodedInsn d, final int m) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        final boolean fromDouble = m == Mnemonic.CVTSD2SS || m == Mnemonic.CVTPD2PS;
        final boolean packed = m == Mnemonic.CVTPS2PD || m == Mnemonic.CVTPD2PS;
        source(c, d, packed ? (fromDouble ? 16 : 8) : (fromDouble ? 8 : 4), packed && fromDouble);
        final long[] src = c.sseSrc;
        final long[] res = c.sseRes;
        res[0] = s.xmm[2 * d.reg];
        res[1] = s.xmm[2 * d.reg + 1];
        if (m == Mnemonic.CVTPD2PS) {
            res[0] = 0;
            res[1] = 0;
        }
        final int lanes = packed ? 2 : 1;
        final boolean daz = (s.mxcsr & MXCSR_DAZ) != 0;
        int flags = 0;
        for (int i = 0; i < lanes; i++) {
            setup(f, s.mxcsr, !fromDouble);
            final int in = load(f, lane(src, i, fromDouble), fromDouble, daz);
            setup(f, s.mxcsr, !fromDouble);
            final long out = fromDouble ? f.toF32(f.se, f.sig) & 0xFFFFFFFFL : f.toF64(f.se, f.sig);
            int all = f.flags | in;
            if ((all & Fp80.IE) != 0) {
                all &= ~Fp80.DE;
            }
            long r = out;
            if (fromDouble && f.lastTiny && (all & Fp80.IE) == 0) {
                if ((f.masks & Fp80.UE) == 0) {
                    all |= Fp80.UE;
                } else if ((s.mxcsr & MXCSR_FTZ) != 0) {
                    r = out & 0x80000000L;
                    all |= Fp80.UE | Fp80.PE;
                }
            }
            flags |= all;
            setLane(res, i, !fromDouble, r);
        }
        finish(c, flags);
        s.xmm[2 * d.reg] = res[0];
        s.xmm[2 * d.reg + 1] = res[1];
    }

    private static void cvtPacked(final Interpreter c, final DecodedInsn d, final int m) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        final boolean toFloat = m == Mnemonic.CVTDQ2PS || m == Mnemonic.CVTDQ2PD;
        final boolean dbl = m == Mnemonic.CVTDQ2PD || m == Mnemonic.CVTPD2DQ || m == Mnemonic.CVTTPD2DQ;
        final boolean truncate = m == Mnemonic.CVTTPS2DQ || m == Mnemonic.CVTTPD2DQ;
        source(c, d, m == Mnemonic.CVTDQ2PD ? 8 : 16, m != Mnemonic.CVTDQ2PD);
        final long[] src = c.sseSrc;
        final long[] res = c.sseRes;
        res[0] = 0;
        res[1] = 0;
        final int lanes = dbl ? 2 : 4;
        final boolean daz = (s.mxcsr & MXCSR_DAZ) != 0;
        int flags = 0;
        for (int i = 0; i < lanes; i++) {
            setup(f, s.mxcsr, dbl);
            if (toFloat) {
                f.fromInt((int) lane(src, i, false));
                final long out = dbl ? f.toF64(f.se, f.sig) : f.toF32(f.se, f.sig) & 0xFFFFFFFFL;
                flags |= f.flags;
                setLane(res, i, dbl, out);
            } else {
                load(f, lane(src, i, dbl), dbl, daz);
                final long v = f.toInt(f.se, f.sig, 32, truncate);
                flags |= f.flags;
                setLane(res, i, false, v);
            }
        }
        finish(c, flags);
        s.xmm[2 * d.reg] = res[0];
        s.xmm[2 * d.reg + 1] = res[1];
    }

    /** MMX state transition for an MMX register operand (SDM Vol. 1, 9.5): #MF if an x87 exception is pending. */
    private static void mmxTransition(final Interpreter c) {
        final CpuState s = c.s;
        if ((s.fpuStatus & 0x80) != 0 && (s.cr0 & CpuState.CR0_NE) != 0) {
            throw c.fault(Interpreter.VEC_MF);
        }
        s.fpuStatus &= ~0x3800;
        s.fpuTag = 0;
    }

    /** CVTPI2PS, CVT[T]PS2PI, CVTPI2PD, CVT[T]PD2PI: two 32-bit integers in an MMX register or memory. */
    private static void cvtMmx(final Interpreter c, final DecodedInsn d, final int m) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        final boolean fromInt = m == Mnemonic.CVTPI2PS || m == Mnemonic.CVTPI2PD;
        final boolean dbl = m == Mnemonic.CVTPI2PD || m == Mnemonic.CVTPD2PI || m == Mnemonic.CVTTPD2PI;
        final boolean truncate = m == Mnemonic.CVTTPS2PI || m == Mnemonic.CVTTPD2PI;
        final long[] src = c.sseSrc;
        final long[] res = c.sseRes;
        int flags = 0;
        if (fromInt) {
            if (d.mod == 3) {
                mmxTransition(c);
                src[0] = s.fpSig[d.rm & 7];
            } else {
                src[0] = c.read64(c.memLin);
            }
            res[0] = dbl ? 0 : s.xmm[2 * d.reg];
            res[1] = dbl ? 0 : s.xmm[2 * d.reg + 1];
            for (int i = 0; i < 2; i++) {
                setup(f, s.mxcsr, dbl);
                f.fromInt((int) (src[0] >>> (32 * i)));
                final long out = dbl ? f.toF64(f.se, f.sig) : f.toF32(f.se, f.sig) & 0xFFFFFFFFL;
                flags |= f.flags;
                setLane(res, i, dbl, out);
            }
            finish(c, flags);
            s.xmm[2 * d.reg] = res[0];
            s.xmm[2 * d.reg + 1] = res[1];
            return;
        }
        source(c, d, dbl ? 16 : 8, dbl);
        mmxTransition(c);
        long out = 0;
        for (int i = 0; i < 2; i++) {
            setup(f, s.mxcsr, dbl);
            load(f, lane(src, i, dbl), dbl, (s.mxcsr & MXCSR_DAZ) != 0);
            final long v = f.toInt(f.se, f.sig, 32, truncate);
            flags |= f.flags;
            out |= (v & 0xFFFFFFFFL) << (32 * i);
        }
        finish(c, flags);
        SseInt.setMm(s, d.reg, out);
    }

    /**
     * RCPPS/RCPSS and RSQRTPS/RSQRTSS. The SDM specifies only the error (relative error at most 1.5 × 2^-12) and
     * the special cases, the exact values are processor-specific: here the exact result is rounded to 12
     * significant bits, which meets that bound. Denormal inputs count as zeros of their sign; results below the
     * normal range are flushed to zero; no MXCSR flags are raised.
     */
    private static void approximate(final Interpreter c, final DecodedInsn d, final boolean rsqrt, final boolean scalar) {
        final CpuState s = c.s;
        source(c, d, scalar ? 4 : 16, !scalar);
        final long[] src = c.sseSrc;
        final long[] res = c.sseRes;
        res[0] = s.xmm[2 * d.reg];
        res[1] = s.xmm[2 * d.reg + 1];
        for (int i = 0; i < (scalar ? 1 : 4); i++) {
            final int x = (int) lane(src, i, false);
            final int sign = x & 0x80000000;
            final int mag = x & 0x7FFFFFFF;
            final int out;
            if (mag > 0x7F800000) {
                out = x | 0x00400000; // NaN: quieted
            } else if (mag < 0x00800000) {
                out = rsqrt && sign != 0 && mag >= 0x00800000 ? 0xFFC00000 : sign | 0x7F800000; // zero or denormal: infinity
            } else if (mag == 0x7F800000) {
                out = rsqrt ? (sign != 0 ? 0xFFC00000 : 0) : sign;
            } else if (rsqrt && sign != 0) {
                out = 0xFFC00000;
            } else {
                final double v = Float.intBitsToFloat(mag);
                final double r = rsqrt ? 1.0 / Math.sqrt(v) : 1.0 / v;
                final int bits = Float.floatToRawIntBits((float) r);
                final int truncated = r < 0x1p-126 ? 0 : (Float.floatToRawIntBits((float) truncate12(r)) & 0x7FFFFFFF);
                out = sign | (bits == 0 ? 0 : truncated);
            }
            setLane(res, i, false, out & 0xFFFFFFFFL);
        }
        s.xmm[2 * d.reg] = res[0];
        s.xmm[2 * d.reg + 1] = res[1];
    }

    /** A positive double rounded (half up) to 12 significant bits: relative error at most 2^-12. */
    private static double truncate12(final double v) {
        final long b = Double.doubleToRawLongBits(v) + (1L << (52 - 12));
        return Double.longBitsToDouble(b & ~((1L << (52 - 11)) - 1));
    }

    /**
     * SSE3: HADDPS/HADDPD and HSUBPS/HSUBPD (pairs of the destination, then of the source), ADDSUBPS/ADDSUBPD
     * (subtract in even elements, add in odd ones), and LDDQU (an unaligned 128-bit load).
     */
    static void sse3(final Interpreter c, final DecodedInsn d) {
        checkSse(c);
        final CpuState s = c.s;
        final int m = d.mnemonic;
        if (m == Mnemonic.LDDQU) {
            if (d.mod == 3) {
                throw c.ud();
            }
            s.xmm[2 * d.reg] = c.read64(c.memLin);
            s.xmm[2 * d.reg + 1] = c.read64(c.truncLinear(c.memLin + 8));
            return;
        }
        final boolean dbl = m == Mnemonic.HADDPD || m == Mnemonic.HSUBPD || m == Mnemonic.ADDSUBPD;
        final boolean horizontal = m != Mnemonic.ADDSUBPS && m != Mnemonic.ADDSUBPD;
        final boolean hsub = m == Mnemonic.HSUBPS || m == Mnemonic.HSUBPD;
        if (m != Mnemonic.HADDPS && m != Mnemonic.HADDPD && m != Mnemonic.HSUBPS && m != Mnemonic.HSUBPD
                && m != Mnemonic.ADDSUBPS && m != Mnemonic.ADDSUBPD) {
            throw c.ud();
        }
        source(c, d, 16, true);
        final long[] src = c.sseSrc;
        final long[] dst = c.sseTmp;
        dst[0] = s.xmm[2 * d.reg];
        dst[1] = s.xmm[2 * d.reg + 1];
        final long[] res = c.sseRes;
        final int lanes = dbl ? 2 : 4;
        int flags = 0;
        for (int i = 0; i < lanes; i++) {
            final long x;
            final long y;
            final boolean subtract;
            if (horizontal) {
                final long[] v = i < lanes / 2 ? dst : src;
                final int j = 2 * (i < lanes / 2 ? i : i - lanes / 2);
                x = lane(v, j, dbl);
                y = lane(v, j + 1, dbl);
                subtract = hsub;
            } else {
                x = lane(dst, i, dbl);
                y = lane(src, i, dbl);
                subtract = (i & 1) == 0;
            }
            final long out = addLane(c, x, y, dbl, subtract);
            flags |= c.sseFlags;
            setLane(res, i, dbl, out);
        }
        finish(c, flags);
        s.xmm[2 * d.reg] = res[0];
        s.xmm[2 * d.reg + 1] = res[1];
    }

    /** One ADD or SUB element with DAZ/FTZ, leaving the element's flags in c.sseFlags. */
    private static long addLane(final Interpreter c, final long x, final long y, final boolean dbl, final boolean subtract) {
        return binLane(c, x, y, dbl, subtract ? 1 : 0);
    }

    /** One element of ADD (0), SUB (1) or MUL (2) with DAZ/FTZ, leaving the element's flags in c.sseFlags. */
    private static long binLane(final Interpreter c, final long x, final long y, final boolean dbl, final int op) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        final boolean daz = (s.mxcsr & MXCSR_DAZ) != 0;
        setup(f, s.mxcsr, dbl);
        final int aIn = load(f, x, dbl, daz);
        final int aSe = f.se;
        final long aSig = f.sig;
        final int bIn = load(f, y, dbl, daz);
        final int bSe = f.se;
        final long bSig = f.sig;
        final boolean nan = Fp80.isNaN(aSe, aSig) || Fp80.isNaN(bSe, bSig);
        setup(f, s.mxcsr, dbl);
        if (op == 2) {
            f.mul(aSe, aSig, bSe, bSig);
        } else {
            f.add(aSe, aSig, bSe, bSig, op == 1);
        }
        final int opFlags = f.flags;
        long out = store(f, dbl);
        int all = nanPrecedence(opFlags, aIn | bIn, nan);
        if (f.lastTiny && (all & Fp80.IE) == 0) {
            if ((f.masks & Fp80.UE) == 0) {
                all |= Fp80.UE;
            } else if ((s.mxcsr & MXCSR_FTZ) != 0) {
                out = dbl ? out & Long.MIN_VALUE : out & 0x80000000L;
                all |= Fp80.UE | Fp80.PE;
            }
        }
        c.sseFlags = all;
        return out;
    }

    /**
     * ROUNDPS/PD/SS/SD (SSE4.1): round to an integral value with imm[1:0] as the rounding mode, or MXCSR.RC when
     * imm[2] is set; imm[3] suppresses the precision exception. An SNaN raises IE and is quieted.
     */
    static void round(final Interpreter c, final DecodedInsn d, final boolean dbl, final boolean scalar, final int imm) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        source(c, d, scalar ? (dbl ? 8 : 4) : 16, !scalar);
        final long[] src = c.sseSrc;
        final long[] res = c.sseRes;
        res[0] = scalar ? s.xmm[2 * d.reg] : 0;
        res[1] = scalar ? s.xmm[2 * d.reg + 1] : 0;
        final boolean daz = (s.mxcsr & MXCSR_DAZ) != 0;
        int flags = 0;
        for (int i = 0; i < (scalar ? 1 : dbl ? 2 : 4); i++) {
            setup(f, s.mxcsr, dbl);
            load(f, lane(src, i, dbl), dbl, daz);
            if ((imm & 4) == 0) {
                f.rc = imm & 3;
            }
            f.roundToInt(f.se, f.sig);
            int fl = f.flags & ~Fp80.DE;
            if ((imm & 8) != 0) {
                fl &= ~Fp80.PE;
            }
            final long out = store(f, dbl);
            flags |= fl;
            setLane(res, i, dbl, out);
        }
        finish(c, flags);
        s.xmm[2 * d.reg] = res[0];
        s.xmm[2 * d.reg + 1] = res[1];
    }

    /**
     * DPPS/DPPD (SSE4.1): products of the elements selected by imm[7:4] (the others count as +0.0), summed pairwise
     * ((p0 + p1) + (p2 + p3)) with each step rounded, and the sum written to the elements selected by imm[3:0].
     */
    static void dot(final Interpreter c, final DecodedInsn d, final boolean dbl, final int imm) {
        final CpuState s = c.s;
        source(c, d, 16, true);
        final long[] src = c.sseSrc;
        final long[] dst = c.sseTmp;
        dst[0] = s.xmm[2 * d.reg];
        dst[1] = s.xmm[2 * d.reg + 1];
        final int lanes = dbl ? 2 : 4;
        final long[] p = c.sseMask; // products, as bits (up to 4 singles or 2 doubles)
        long p0 = 0;
        long p1 = 0;
        long p2 = 0;
        long p3 = 0;
        int flags = 0;
        for (int i = 0; i < lanes; i++) {
            long v = 0;
            if ((imm & (0x10 << i)) != 0) {
                v = binLane(c, lane(dst, i, dbl), lane(src, i, dbl), dbl, 2);
                flags |= c.sseFlags;
            }
            switch (i) {
                case 0 -> p0 = v;
                case 1 -> p1 = v;
                case 2 -> p2 = v;
                default -> p3 = v;
            }
        }
        long sum = binLane(c, p0, p1, dbl, 0);
        flags |= c.sseFlags;
        if (!dbl) {
            final long hi = binLane(c, p2, p3, dbl, 0);
            flags |= c.sseFlags;
            sum = binLane(c, sum, hi, dbl, 0);
            flags |= c.sseFlags;
        }
        finish(c, flags);
        p[0] = 0;
        p[1] = 0;
        for (int i = 0; i < lanes; i++) {
            if ((imm & (1 << i)) != 0) {
                setLane(p, i, dbl, sum);
            }
        }
        s.xmm[2 * d.reg] = p[0];
        s.xmm[2 * d.reg + 1] = p[1];
    }
}
