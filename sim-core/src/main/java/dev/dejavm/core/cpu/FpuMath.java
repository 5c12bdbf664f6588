package dev.dejavm.core.cpu;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The x87 D9 E0-FF group: FCHS, FABS, FTST, FXAM, the seven constants, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM,
 * FPREM1, FINCSTP, FDECSTP and the transcendental instructions FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X,
 * FYL2XP1.
 *
 * <p>The constants are the exact values rounded in the current rounding mode (as Intel processors since the 486
 * do, without PE). The transcendental results are computed with 190-bit decimal arithmetic and then rounded
 * once; trigonometric arguments are first reduced modulo π rounded to 66 bits, the approximation the x87 uses
 * (SDM Vol. 1, 8.3.10), so that results near the zeros of sin/cos follow hardware. The SDM promises less than
 * 1 ulp of error on hardware, so a processor may differ from these results in the last bit (and in C1): they
 * are implementation-specific, and the tests compare them with the host CPU to within 1 ulp.
 */
final class FpuMath {
    private static final MathContext MC = new MathContext(60, RoundingMode.HALF_EVEN);
    private static final MathContext WIDE = new MathContext(160, RoundingMode.HALF_EVEN);
    private static final int C1 = FpuExec.C1;
    private static final int C0 = FpuExec.C0;
    private static final int C2 = FpuExec.C2;
    private static final int C3 = FpuExec.C3;

    /**
     * Constants as 128-bit significands (value = hi:lo / 2^127 × 2^e): log2 10, log2 e, π, log10 2, ln 2. Checked
     * against independently computed values in the tests.
     */
    private static final long[][] CONSTANTS = {
        {0xD49A784BCD1B8AFEL, 0x492BF6FF4DAFDB4CL, 1},   // FLDL2T
        {0xB8AA3B295C17F0BBL, 0xBE87FED0691D3E89L, 0},   // FLDL2E
        {0xC90FDAA22168C234L, 0xC4C6628B80DC1CD1L, 1},   // FLDPI
        {0x9A209A84FBCFF798L, 0x8F8959AC0B7C9178L, -2},  // FLDLG2
        {0xB17217F7D1CF79ABL, 0xC9E3B39803F2F6AFL, -1},  // FLDLN2
    };

    private FpuMath() {
    }

    static long[][] constants() {
        return CONSTANTS;
    }

    static void d9group(final Interpreter c, final int modrm) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        switch (modrm) {
            case 0xE0, 0xE1 -> {
                if (FpuExec.isEmpty(s, 0)) {
                    if (!FpuExec.stUnderflow(s)) {
                        FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                    }
                    return;
                }
                s.fpuStatus &= ~C1;
                final int e = FpuExec.stSe(s, 0);
                FpuExec.stWrite(s, 0, modrm == 0xE0 ? e ^ 0x8000 : e & 0x7FFF, FpuExec.stSig(s, 0));
            }
            case 0xE4 -> { // FTST
                if (FpuExec.isEmpty(s, 0)) {
                    FpuExec.stCompareUnderflow(s);
                    return;
                }
                final int cmp = f.compare(FpuExec.stSe(s, 0), FpuExec.stSig(s, 0), 0, 0, false);
                FpuExec.stRaise(s, f.flags);
                FpuExec.stSetCc(s, cmp == -1 ? C0 : cmp == 0 ? C3 : cmp == 1 ? 0 : C3 | C2 | C0);
            }
            case 0xE5 -> fxam(s);
            case 0xE8 -> FpuExec.stLoad(s, Fp80.BIAS, Fp80.INT_BIT, 0);
            case 0xE9, 0xEA, 0xEB, 0xEC, 0xED -> {
                final long[] k = CONSTANTS[modrm - 0xE9];
                f.fromExact(0, (int) k[2], k[0], k[1], false);
                FpuExec.stLoad(s, f.se, f.sig, 0);
            }
            case 0xEE -> FpuExec.stLoad(s, 0, 0, 0);
            case 0xF0 -> unary(c, Op.F2XM1);
            case 0xF1 -> binaryPop(c, Op.FYL2X);
            case 0xF2 -> trig(c, Op.TAN);
            case 0xF3 -> binaryPop(c, Op.ATAN);
            case 0xF4 -> fxtract(c);
            case 0xF5, 0xF8 -> fprem(c, modrm == 0xF5);
            case 0xF6 -> {
                s.fpuStatus &= ~C1;
                FpuExec.stSetTop(s, FpuExec.top(s) - 1);
            }
            case 0xF7 -> {
                s.fpuStatus &= ~C1;
                FpuExec.stSetTop(s, FpuExec.top(s) + 1);
            }
            case 0xF9 -> binaryPop(c, Op.FYL2XP1);
            case 0xFA -> unary(c, Op.SQRT);
            case 0xFB -> trig(c, Op.SINCOS);
            case 0xFC -> unary(c, Op.RNDINT);
            case 0xFD -> {
                if (FpuExec.isEmpty(s, 0) || FpuExec.isEmpty(s, 1)) {
                    if (!FpuExec.stUnderflow(s)) {
                        FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                    }
                    return;
                }
                f.pc = 64;
                f.scale(FpuExec.stSe(s, 0), FpuExec.stSig(s, 0), FpuExec.stSe(s, 1), FpuExec.stSig(s, 1));
                FpuExec.stDeliver(s, f, 0);
            }
            case 0xFE -> trig(c, Op.SIN);
            case 0xFF -> trig(c, Op.COS);
            default -> throw c.ud();
        }
    }

    private enum Op { F2XM1, SQRT, RNDINT, SIN, COS, TAN, SINCOS, ATAN, FYL2X, FYL2XP1 }

    private static void fxam(final CpuState s) {
        final int e = FpuExec.stSe(s, 0);
        final long m = FpuExec.stSig(s, 0);
        final int sign = (e & 0x8000) != 0 ? C1 : 0;
        int cc;
        if (FpuExec.isEmpty(s, 0)) {
            cc = C3 | C0;
        } else if (Fp80.isUnsupported(e, m)) {
            cc = 0;
        } else if (Fp80.isNaN(e, m)) {
            cc = C0;
        } else if (Fp80.isInf(e, m)) {
            cc = C2 | C0;
        } else if (Fp80.isZero(e, m)) {
            cc = C3;
        } else if (Fp80.isDenormal(e, m)) {
            cc = C3 | C2;
        } else {
            cc = C2;
        }
        FpuExec.stSetCc(s, cc | sign);
    }

    private static void unary(final Interpreter c, final Op op) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        if (FpuExec.isEmpty(s, 0)) {
            if (!FpuExec.stUnderflow(s)) {
                FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
            }
            return;
        }
        final int e = FpuExec.stSe(s, 0);
        final long m = FpuExec.stSig(s, 0);
        switch (op) {
            case SQRT -> f.sqrt(e, m);
            case RNDINT -> {
                f.roundToInt(e, m);
            }
            default -> f2xm1(f, e, m);
        }
        FpuExec.stDeliver(s, f, 0);
    }

    // ---- transcendental instructions ---------------------------------------------------------------------------

    private static final BigDecimal PI = computePi();
    private static final BigDecimal HALF_PI = PI.divide(BigDecimal.valueOf(2), WIDE);
    /** π rounded to 66 significant bits: the value x87 hardware reduces trigonometric arguments with. */
    private static final BigDecimal HALF_PI_66 = new BigDecimal(new BigInteger("C90FDAA22168C234C", 16))
        .divide(new BigDecimal(BigInteger.ONE.shiftLeft(67)));
    private static final BigDecimal LN2 = lnRatio(BigDecimal.ONE.divide(BigDecimal.valueOf(3), WIDE), WIDE);

    /** π by Machin's formula, 160 digits. */
    private static BigDecimal computePi() {
        final BigDecimal a = arctanInverse(5);
        final BigDecimal b = arctanInverse(239);
        return a.multiply(BigDecimal.valueOf(16)).subtract(b.multiply(BigDecimal.valueOf(4))).round(WIDE);
    }

    private static BigDecimal arctanInverse(final int n) {
        final BigDecimal x = BigDecimal.ONE.divide(BigDecimal.valueOf(n), WIDE);
        final BigDecimal x2 = x.multiply(x, WIDE);
        BigDecimal term = x;
        BigDecimal sum = x;
        final BigDecimal eps = BigDecimal.ONE.movePointLeft(165);
        for (int k = 1; term.abs().compareTo(eps) > 0; k++) {
            term = term.multiply(x2, WIDE).negate();
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * k + 1), WIDE), WIDE);
        }
        return sum;
    }

    /** 2 atanh(t) = ln((1 + t) / (1 - t)) for small |t|. */
    private static BigDecimal lnRatio(final BigDecimal t, final MathContext mc) {
        final BigDecimal t2 = t.multiply(t, mc);
        BigDecimal term = t;
        BigDecimal sum = t;
        final BigDecimal eps = BigDecimal.ONE.movePointLeft(mc.getPrecision() + 5);
        for (int k = 1; term.abs().compareTo(eps.multiply(sum.abs().max(eps))) > 0; k++) {
            term = term.multiply(t2, mc);
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * k + 1), mc), mc);
        }
        return sum.multiply(BigDecimal.valueOf(2), mc);
    }

    /** The exact value of a finite non-zero register. */
    static BigDecimal toBig(final int se, final long sig) {
        int e = se & 0x7FFF;
        long m = sig;
        if (e == 0) {
            e = 1;
        }
        BigInteger mag = BigInteger.valueOf(m & Long.MAX_VALUE);
        if (m < 0) {
            mag = mag.setBit(63);
        }
        final int k = e - Fp80.BIAS - 63;
        BigDecimal v = k >= 0 ? new BigDecimal(mag.shiftLeft(k)) : new BigDecimal(mag.multiply(BigInteger.valueOf(5).pow(-k)), -k);
        return (se & 0x8000) != 0 ? v.negate() : v;
    }

    /** Rounds an inexact non-zero real (computed to about 190 bits) into f, raising PE (and UE/OE as they occur). */
    static void fromBig(final Fp80 f, final BigDecimal v) {
        final int sgn = v.signum() < 0 ? 1 : 0;
        final BigDecimal a = v.abs();
        // estimate the binary exponent, then take 128 bits
        final long est = (long) Math.floor((a.unscaledValue().bitLength() - 1) - a.scale() * 3.321928094887362);
        int shift = (int) (127 - est);
        BigInteger n = scaleToInteger(a, shift);
        while (n.bitLength() > 128) {
            shift--;
            n = scaleToInteger(a, shift);
        }
        while (n.bitLength() < 128) {
            shift++;
            n = scaleToInteger(a, shift);
        }
        final long hi = n.shiftRight(64).longValue();
        final long lo = n.longValue() | 1; // the value is irrational or beyond 190 bits: sticky
        f.fromExact(sgn, 127 - shift, hi, lo, true);
        f.flags |= Fp80.PE;
    }

    private static BigInteger scaleToInteger(final BigDecimal a, final int shift) {
        final BigDecimal scaled = shift >= 0 ? a.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(shift)))
            : a.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-shift)));
        return scaled.setScale(0, RoundingMode.FLOOR).unscaledValue();
    }

    /** Rounds an exact multiple of a constant (π/2 etc.) with the sign. */
    private static void fromConst(final Fp80 f, final int sgn, final BigDecimal v) {
        fromBig(f, sgn != 0 ? v.negate() : v);
    }

    private static BigDecimal sinTaylor(final BigDecimal x) {
        final BigDecimal x2 = x.multiply(x, MC);
        BigDecimal term = x;
        BigDecimal sum = x;
        for (int k = 1; term.signum() != 0 && term.abs().compareTo(sum.abs().movePointLeft(62)) > 0; k++) {
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf((2L * k) * (2L * k + 1)), MC).negate();
            sum = sum.add(term, MC);
        }
        return sum;
    }

    private static BigDecimal cosTaylor(final BigDecimal x) {
        final BigDecimal x2 = x.multiply(x, MC);
        BigDecimal term = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ONE;
        for (int k = 1; term.signum() != 0 && term.abs().compareTo(BigDecimal.ONE.movePointLeft(64)) > 0; k++) {
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf((2L * k - 1) * (2L * k)), MC).negate();
            sum = sum.add(term, MC);
        }
        return sum;
    }

    /** sin and cos of x: result[0] = sin, result[1] = cos. */
    private static BigDecimal[] sinCos(final BigDecimal x) {
        final BigDecimal q = x.divide(HALF_PI_66, WIDE).setScale(0, RoundingMode.HALF_EVEN);
        final BigDecimal r = x.subtract(q.multiply(HALF_PI_66, WIDE), WIDE).round(MC);
        final BigDecimal sn = sinTaylor(r);
        final BigDecimal cs = cosTaylor(r);
        final int quadrant = q.toBigInteger().and(BigInteger.valueOf(3)).intValue();
        return switch (quadrant) {
            case 0 -> new BigDecimal[] {sn, cs};
            case 1 -> new BigDecimal[] {cs, sn.negate()};
            case 2 -> new BigDecimal[] {sn.negate(), cs.negate()};
            default -> new BigDecimal[] {cs.negate(), sn};
        };
    }

    /** atan(t) for 0 <= t <= 1. */
    private static BigDecimal atanUnit(BigDecimal t) {
        int doublings = 0;
        while (t.compareTo(new BigDecimal("0.125")) > 0) {
            // atan(t) = 2 atan(t / (1 + sqrt(1 + t²)))
            t = t.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(t.multiply(t, MC), MC).sqrt(MC), MC), MC);
            doublings++;
        }
        final BigDecimal t2 = t.multiply(t, MC);
        BigDecimal term = t;
        BigDecimal sum = t;
        for (int k = 1; term.signum() != 0 && term.abs().compareTo(sum.abs().movePointLeft(62)) > 0; k++) {
            term = term.multiply(t2, MC).negate();
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * k + 1), MC), MC);
        }
        return sum.multiply(BigDecimal.valueOf(1L << doublings), MC);
    }

    /** ln(x) for x > 0. */
    private static BigDecimal ln(final BigDecimal x) {
        // x = m × 2^k with m in [1, 2)
        int k = x.unscaledValue().bitLength() - 1 - (int) Math.round(x.scale() * 3.321928094887362);
        BigDecimal m = k >= 0 ? x.divide(new BigDecimal(BigInteger.ONE.shiftLeft(k)), WIDE)
            : x.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(-k)), WIDE);
        while (m.compareTo(BigDecimal.valueOf(2)) >= 0) {
            m = m.divide(BigDecimal.valueOf(2), WIDE);
            k++;
        }
        while (m.compareTo(BigDecimal.ONE) < 0) {
            m = m.multiply(BigDecimal.valueOf(2), WIDE);
            k--;
        }
        final BigDecimal t = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), WIDE);
        return lnRatio(t, MC).add(LN2.multiply(BigDecimal.valueOf(k), MC), MC);
    }

    private static void f2xm1(final Fp80 f, final int e, final long m) {
        f.flags = 0;
        f.roundedUp = false;
        if (Fp80.isUnsupported(e, m)) {
            f.indefinite();
            return;
        }
        if (Fp80.isNaN(e, m)) {
            f.flags = (m & Fp80.QUIET_BIT) == 0 ? Fp80.IE : 0;
            f.se = e;
            f.sig = m | Fp80.QUIET_BIT;
            return;
        }
        if (Fp80.isZero(e, m)) {
            f.se = e;
            f.sig = m;
            return;
        }
        if (Fp80.isInf(e, m)) {
            f.se = (e & 0x8000) != 0 ? 0x8000 | Fp80.BIAS : e; // 2^-inf - 1 = -1
            f.sig = Fp80.INT_BIT;
            return;
        }
        final int de = Fp80.isDenormal(e, m) ? Fp80.DE : 0;
        final BigDecimal y = toBig(e, m).multiply(LN2, MC);
        BigDecimal term = y;
        BigDecimal sum = y;
        for (int k = 2; term.signum() != 0 && term.abs().compareTo(sum.abs().movePointLeft(62)) > 0; k++) {
            term = term.multiply(y, MC).divide(BigDecimal.valueOf(k), MC);
            sum = sum.add(term, MC);
        }
        fromBig(f, sum);
        f.flags |= de;
    }

    /** FSIN, FCOS, FSINCOS, FPTAN: |x| >= 2^63 sets C2 and leaves the stack alone. */
    private static void trig(final Interpreter c, final Op op) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        final boolean pushes = op == Op.TAN || op == Op.SINCOS;
        if (FpuExec.isEmpty(s, 0)) {
            if (!FpuExec.stUnderflow(s)) {
                FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                if (pushes) {
                    FpuExec.stPush(s, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                }
            }
            return;
        }
        if (pushes && !FpuExec.isEmpty(s, 7)) {
            if (!FpuExec.stOverflow(s)) {
                FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                FpuExec.stPush(s, Fp80.INDEF_SE, Fp80.INDEF_SIG);
            }
            return;
        }
        final int e = FpuExec.stSe(s, 0);
        final long m = FpuExec.stSig(s, 0);
        s.fpuStatus &= ~C2;
        f.flags = 0;
        f.roundedUp = false;
        if (Fp80.isUnsupported(e, m) || Fp80.isInf(e, m)) {
            f.indefinite();
            if (!FpuExec.stRaise(s, f.flags)) {
                s.fpuStatus &= ~C1;
                FpuExec.stWrite(s, 0, f.se, f.sig);
                if (pushes) {
                    FpuExec.stPush(s, f.se, f.sig);
                }
            }
            return;
        }
        if (Fp80.isNaN(e, m)) {
            if (!FpuExec.stRaise(s, (m & Fp80.QUIET_BIT) == 0 ? Fp80.IE : 0)) {
                FpuExec.stWrite(s, 0, e, m | Fp80.QUIET_BIT);
                if (pushes) {
                    FpuExec.stPush(s, e, m | Fp80.QUIET_BIT);
                }
            }
            return;
        }
        if ((e & 0x7FFF) >= Fp80.BIAS + 63) {
            s.fpuStatus |= C2; // out of range: the operand is left for the program to reduce
            return;
        }
        if (Fp80.isZero(e, m)) {
            s.fpuStatus &= ~C1;
            switch (op) {
                case SIN -> FpuExec.stWrite(s, 0, e, m);
                case COS -> FpuExec.stWrite(s, 0, Fp80.BIAS, Fp80.INT_BIT);
                case TAN -> FpuExec.stPush(s, Fp80.BIAS, Fp80.INT_BIT);
                default -> FpuExec.stPush(s, Fp80.BIAS, Fp80.INT_BIT); // FSINCOS: ST1 = sin(0) = 0, ST0 = cos = 1
            }
            return;
        }
        final int de = Fp80.isDenormal(e, m) ? Fp80.DE : 0;
        if (de != 0 && FpuExec.stRaise(s, de)) {
            return;
        }
        final BigDecimal[] sc = sinCos(toBig(e, m));
        switch (op) {
            case SIN -> {
                fromBig(f, sc[0]);
                FpuExec.stDeliver(s, f, 0);
            }
            case COS -> {
                fromBig(f, sc[1]);
                FpuExec.stDeliver(s, f, 0);
            }
            case TAN -> {
                fromBig(f, sc[0].divide(sc[1], MC));
                if (FpuExec.stDeliver(s, f, 0)) {
                    FpuExec.stPush(s, Fp80.BIAS, Fp80.INT_BIT);
                }
            }
            default -> {
                fromBig(f, sc[0]);
                final int sinSe = f.se;
                final long sinSig = f.sig;
                final int sinFlags = f.flags;
                final boolean sinUp = f.roundedUp;
                fromBig(f, sc[1]);
                f.flags |= sinFlags;
                if (!FpuExec.stRaise(s, f.flags)) {
                    s.fpuStatus = (s.fpuStatus & ~C1) | (f.roundedUp || sinUp ? C1 : 0);
                    FpuExec.stWrite(s, 0, sinSe, sinSig);
                    FpuExec.stPush(s, f.se, f.sig);
                }
            }
        }
    }

    /** FPATAN, FYL2X, FYL2XP1: ST1 = f(ST1, ST0), then pop. */
    private static void binaryPop(final Interpreter c, final Op op) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        if (FpuExec.isEmpty(s, 0) || FpuExec.isEmpty(s, 1)) {
            if (!FpuExec.stUnderflow(s)) {
                FpuExec.stWrite(s, 1, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                FpuExec.stPop(s);
            }
            return;
        }
        final int xe = FpuExec.stSe(s, 0);
        final long xm = FpuExec.stSig(s, 0);
        final int ye = FpuExec.stSe(s, 1);
        final long ym = FpuExec.stSig(s, 1);
        f.flags = 0;
        f.roundedUp = false;
        if (Fp80.isUnsupported(xe, xm) || Fp80.isUnsupported(ye, ym)) {
            f.indefinite();
        } else if (Fp80.isNaN(xe, xm) || Fp80.isNaN(ye, ym)) {
            f.add(ye, ym, xe, xm, false); // NaN propagation as for arithmetic
        } else {
            if (Fp80.isDenormal(xe, xm) || Fp80.isDenormal(ye, ym)) {
                f.flags |= Fp80.DE;
            }
            final int de = f.flags;
            if (op == Op.ATAN) {
                atan2(f, ye, ym, xe, xm);
            } else {
                ylog2x(f, ye, ym, xe, xm, op == Op.FYL2XP1);
            }
            f.flags |= de;
        }
        if (FpuExec.stDeliver(s, f, 1)) {
            FpuExec.stPop(s);
        }
    }

    private static void atan2(final Fp80 f, final int ye, final long ym, final int xe, final long xm) {
        final int ys = Fp80.sign(ye);
        final int xs = Fp80.sign(xe);
        final boolean yz = Fp80.isZero(ye, ym);
        final boolean xz = Fp80.isZero(xe, xm);
        final boolean yi = Fp80.isInf(ye, ym);
        final boolean xi = Fp80.isInf(xe, xm);
        if (yz) {
            if (xs == 0) {
                f.se = ye & 0x8000;
                f.sig = 0;
            } else {
                fromConst(f, ys, PI);
            }
            return;
        }
        if (xz || (yi && !xi)) {
            fromConst(f, ys, HALF_PI);
            return;
        }
        if (yi) {
            fromConst(f, ys, xs == 0 ? HALF_PI.divide(BigDecimal.valueOf(2), WIDE) : HALF_PI.multiply(new BigDecimal("1.5"), WIDE));
            return;
        }
        if (xi) {
            if (xs == 0) {
                f.se = ye & 0x8000;
                f.sig = 0;
            } else {
                fromConst(f, ys, PI);
            }
            return;
        }
        final BigDecimal y = toBig(ye, ym).abs();
        final BigDecimal x = toBig(xe, xm).abs();
        BigDecimal a = y.compareTo(x) <= 0 ? atanUnit(y.divide(x, MC)) : HALF_PI.subtract(atanUnit(x.divide(y, MC)), MC);
        if (xs != 0) {
            a = PI.subtract(a, MC);
        }
        fromBig(f, ys != 0 ? a.negate() : a);
    }

    private static void ylog2x(final Fp80 f, final int ye, final long ym, final int xe, final long xm, final boolean plusOne) {
        final boolean yz = Fp80.isZero(ye, ym);
        final boolean yi = Fp80.isInf(ye, ym);
        final int ys = Fp80.sign(ye);
        // the argument of the logarithm, exactly: x or 1 + x
        final BigDecimal arg;
        if (Fp80.isInf(xe, xm)) {
            if (Fp80.sign(xe) != 0 || yz) {
                f.indefinite();
            } else {
                inf(f, ys);
            }
            return;
        }
        final BigDecimal x = Fp80.isZero(xe, xm) ? BigDecimal.ZERO : toBig(xe, xm);
        arg = plusOne ? BigDecimal.ONE.add(x) : x;
        final int cmpZero = arg.signum();
        if (cmpZero < 0) {
            f.indefinite();
            return;
        }
        if (cmpZero == 0) {
            if (yz) {
                f.indefinite();
            } else {
                f.flags |= Fp80.ZE;
                inf(f, ys ^ 1);
            }
            return;
        }
        final int cmpOne = arg.compareTo(BigDecimal.ONE);
        if (yi) {
            if (cmpOne == 0) {
                f.indefinite();
            } else {
                inf(f, ys ^ (cmpOne < 0 ? 1 : 0));
            }
            return;
        }
        if (cmpOne == 0 || yz) {
            // y × ±0: zero with the product's sign (log2 1 = +0)
            final int logSign = cmpOne < 0 ? 1 : 0;
            f.se = (ys ^ logSign) << 15;
            f.sig = 0;
            return;
        }
        final BigDecimal log2 = plusOne
            ? lnRatio(x.divide(BigDecimal.valueOf(2).add(x), WIDE), MC).divide(LN2, MC)
            : ln(arg).divide(LN2, MC);
        fromBig(f, toBig(ye, ym).multiply(log2, MC));
    }

    private static void inf(final Fp80 f, final int sgn) {
        f.se = sgn << 15 | 0x7FFF;
        f.sig = Fp80.INT_BIT;
    }

    private static void fxtract(final Interpreter c) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        if (FpuExec.isEmpty(s, 0)) {
            if (!FpuExec.stUnderflow(s)) {
                FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                FpuExec.stPush(s, Fp80.INDEF_SE, Fp80.INDEF_SIG);
            }
            return;
        }
        if (!FpuExec.isEmpty(s, 7)) {
            if (!FpuExec.stOverflow(s)) {
                FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                FpuExec.stPush(s, Fp80.INDEF_SE, Fp80.INDEF_SIG);
            }
            return;
        }
        final int e = FpuExec.stSe(s, 0);
        final long m = FpuExec.stSig(s, 0);
        int flags = 0;
        int expSe;
        long expSig;
        int sigSe;
        long sigSig;
        if (Fp80.isUnsupported(e, m)) {
            flags = Fp80.IE;
            expSe = sigSe = Fp80.INDEF_SE;
            expSig = sigSig = Fp80.INDEF_SIG;
        } else if (Fp80.isNaN(e, m)) {
            flags = (m & Fp80.QUIET_BIT) == 0 ? Fp80.IE : 0;
            expSe = sigSe = e;
            expSig = sigSig = m | Fp80.QUIET_BIT;
        } else if (Fp80.isInf(e, m)) {
            expSe = 0x7FFF;
            expSig = Fp80.INT_BIT;
            sigSe = e;
            sigSig = m;
        } else if (Fp80.isZero(e, m)) {
            flags = Fp80.ZE;
            expSe = 0xFFFF;
            expSig = Fp80.INT_BIT;
            sigSe = e;
            sigSig = 0;
        } else {
            if (Fp80.isDenormal(e, m)) {
                flags = Fp80.DE;
            }
            f.fromInt(f.exponentOf(e, m));
            expSe = f.se;
            expSig = f.sig;
            sigSe = (e & 0x8000) | Fp80.BIAS;
            sigSig = f.normalizedSig(e, m);
        }
        if (FpuExec.stRaise(s, flags)) {
            return;
        }
        s.fpuStatus &= ~C1;
        FpuExec.stWrite(s, 0, expSe, expSig);
        FpuExec.stPush(s, sigSe, sigSig);
    }

    private static void fprem(final Interpreter c, final boolean ieee) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        if (FpuExec.isEmpty(s, 0) || FpuExec.isEmpty(s, 1)) {
            if (!FpuExec.stUnderflow(s)) {
                FpuExec.stWrite(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG);
            }
            return;
        }
        f.remainder(FpuExec.stSe(s, 0), FpuExec.stSig(s, 0), FpuExec.stSe(s, 1), FpuExec.stSig(s, 1), ieee);
        if (FpuExec.stRaise(s, f.flags)) {
            return;
        }
        final int q = f.quotient;
        int cc = f.partial ? C2 : 0;
        cc |= (q & 4) != 0 ? C0 : 0;
        cc |= (q & 2) != 0 ? C3 : 0;
        cc |= (q & 1) != 0 ? C1 : 0;
        FpuExec.stSetCc(s, cc);
        FpuExec.stWrite(s, 0, f.se, f.sig);
    }
}
