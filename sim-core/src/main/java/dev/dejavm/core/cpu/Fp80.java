package dev.dejavm.core.cpu;

import java.math.BigInteger;

/**
 * Extended-precision (80-bit) floating-point arithmetic in software, exactly as the x87 computes it: IEEE 754
 * rounding of the exact result to 24, 53 or 64 significand bits in the four rounding modes, denormals, the x87's
 * NaN and "unsupported format" rules, and the exception flags (SDM Vol. 1, chapters 4 and 8).
 *
 * <p>An operand is a pair: {@code se} (bit 15 sign, bits 14:0 biased exponent) and {@code sig} (the 64-bit
 * significand with its explicit integer bit 63). One instance belongs to one interpreter; an operation leaves its
 * result in {@link #se}/{@link #sig}, the exceptions it raised in {@link #flags} and whether the result was rounded
 * up in magnitude (the x87's C1) in {@link #roundedUp}. Nothing is allocated except by FSQRT and FPREM, which use
 * {@link BigInteger}.
 *
 * <p>Choices where the SDM leaves room, all as Intel processors behave: underflow tininess is detected after
 * rounding; with underflow masked, UE is raised only for a tiny and inexact result; pseudo-denormals are accepted
 * (DE) and read as exponent 1; unnormals, pseudo-NaNs and pseudo-infinities are unsupported (IE, result the
 * indefinite QNaN); of two NaNs the one with the larger significand is returned.
 */
final class Fp80 {
    static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20;
    static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;
    static final int BIAS = 16383;
    static final int EMIN = 1 - BIAS;
    static final int EMAX = 0x7FFE - BIAS;
    /** The exponent adjustment of an unmasked overflow or underflow result (SDM Vol. 1, 8.5.3 and 8.5.4). */
    static final int WRAP = 24576;
    static final long INT_BIT = 0x8000_0000_0000_0000L;
    static final long QUIET_BIT = 0x4000_0000_0000_0000L;
    /** The real indefinite: negative QNaN with significand 0xC000... */
    static final int INDEF_SE = 0xFFFF;
    static final long INDEF_SIG = 0xC000_0000_0000_0000L;

    // Result of the last operation.
    int se;
    long sig;
    int flags;
    boolean roundedUp;

    // Controls for the next operations: rounding mode, precision (24, 53, 64) and the masked exceptions.
    int rc;
    int pc = 64;
    int masks = 0x3F;
    /**
     * The format arithmetic results are rounded to: the x87 register format by default; SSE sets single or double
     * ({@link #target}), and the result, still held in se/sig, is then exactly representable in that format.
     */
    private int tEmin = EMIN;
    private int tEmax = EMAX;
    private int tWrap = WRAP;
    /** SSE's NaN rule: of two NaN operands, the first (SDM Vol. 1, Table 4-7); the x87's otherwise. */
    boolean sseNaN;
    /** Whether the last rounding saw a tiny result (after rounding): SSE reports unmasked underflow on it. */
    boolean lastTiny;

    // Unpacked operands: unbiased exponent and significand normalized to bit 63.
    private int ae;
    private long asig;
    private int be;
    private long bsig;
    // shiftRightJam128 output.
    private long jHi;
    private long jLo;
    // round() output before packing.
    private int outE;
    private long outSig;
    private boolean outInf;

    /** Results in single (24), double (53) or x87 (64) format; SSE's exceptions never re-bias results. */
    void target(final int bits) {
        switch (bits) {
            case 24 -> {
                tEmin = -126;
                tEmax = 127;
                tWrap = 0;
            }
            case 53 -> {
                tEmin = -1022;
                tEmax = 1023;
                tWrap = 0;
            }
            default -> {
                tEmin = EMIN;
                tEmax = EMAX;
                tWrap = WRAP;
            }
        }
        pc = bits;
    }

    /** Sets rounding and precision control and the masks from an x87 control word. */
    void control(final int fcw) {
        if (tWrap == 0 || sseNaN) {
            target(64);
            sseNaN = false;
        }
        rc = (fcw >> 10) & 3;
        pc = switch ((fcw >> 8) & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;
        };
        masks = fcw & 0x3F;
    }

    // ---- classification ---------------------------------------------------------------------------------

    static int exponent(final int se) {
        return se & 0x7FFF;
    }

    static int sign(final int se) {
        return (se >> 15) & 1;
    }

    static boolean isNaN(final int se, final long sig) {
        return (se & 0x7FFF) == 0x7FFF && sig < 0 && (sig << 1) != 0;
    }

    static boolean isSNaN(final int se, final long sig) {
        return isNaN(se, sig) && (sig & QUIET_BIT) == 0;
    }

    static boolean isInf(final int se, final long sig) {
        return (se & 0x7FFF) == 0x7FFF && sig == INT_BIT;
    }

    /** Unnormals, pseudo-NaNs and pseudo-infinities: a non-zero exponent without the integer bit. */
    static boolean isUnsupported(final int se, final long sig) {
        return (se & 0x7FFF) != 0 && sig >= 0;
    }

    static boolean isZero(final int se, final long sig) {
        return (se & 0x7FFF) == 0 && sig == 0;
    }

    static boolean isDenormal(final int se, final long sig) {
        return (se & 0x7FFF) == 0 && sig != 0;
    }

    /** Finite and not zero, in a supported format. */
    static boolean isFiniteNonZero(final int se, final long sig) {
        final int e = se & 0x7FFF;
        return e != 0x7FFF && (e == 0 ? sig != 0 : sig < 0);
    }

    /** The x87 tag of a register's contents: 0 valid, 1 zero, 2 special (NaN, infinity, denormal, unsupported). */
    static int tag(final int se, final long sig) {
        final int e = se & 0x7FFF;
        if (e == 0x7FFF) {
            return 2;
        }
        if (e == 0) {
            return sig == 0 ? 1 : 2;
        }
        return sig < 0 ? 0 : 2;
    }

    // ---- result helpers ------------------------------------------------------------------------------------

    private void begin() {
        flags = 0;
        roundedUp = false;
        lastTiny = false;
    }

    private void result(final int rse, final long rsig) {
        se = rse;
        sig = rsig;
    }

    /** An invalid operation: IE, which takes precedence over a denormal operand (SDM Vol. 1, 4.9.2). */
    void indefinite() {
        flags = (flags & ~DE) | IE;
        se = INDEF_SE;
        sig = INDEF_SIG;
    }

    private void zero(final int sign) {
        se = sign << 15;
        sig = 0;
    }

    private void inf(final int sign) {
        se = sign << 15 | 0x7FFF;
        sig = INT_BIT;
    }

    /** Unpacks a finite non-zero operand into {@link #ae}/{@link #asig}. */
    private void unpackA(final int se0, final long sig0) {
        final int e = se0 & 0x7FFF;
        if (e == 0) {
            final int n = Long.numberOfLeadingZeros(sig0);
            ae = EMIN - n;
            asig = sig0 << n;
        } else {
            ae = e - BIAS;
            asig = sig0;
        }
    }

    private void unpackB(final int se0, final long sig0) {
        final int e = se0 & 0x7FFF;
        if (e == 0) {
            final int n = Long.numberOfLeadingZeros(sig0);
            be = EMIN - n;
            bsig = sig0 << n;
        } else {
            be = e - BIAS;
            bsig = sig0;
        }
    }

    /**
     * The common prologue of two-operand operations: unsupported operands and NaNs. Returns true if the result is
     * decided (a NaN or the indefinite), after setting DE for denormal operands otherwise.
     */
    private boolean specials2(final int aSe, final long aSig, final int bSe, final long bSig) {
        if (isUnsupported(aSe, aSig) || isUnsupported(bSe, bSig)) {
            indefinite();
            return true;
        }
        final boolean an = isNaN(aSe, aSig);
        final boolean bn = isNaN(bSe, bSig);
        if (an || bn) {
            propagateNaN(an, aSe, aSig, bn, bSe, bSig);
            return true;
        }
        if (isDenormal(aSe, aSig) || isDenormal(bSe, bSig)) {
            flags |= DE;
        }
        return false;
    }

    /**
     * SDM Vol. 1, Table 4-7 for the x87: an SNaN raises IE; of an SNaN and a QNaN the QNaN is returned, of two
     * SNaNs or two QNaNs the larger significand.
     */
    private void propagateNaN(final boolean an, final int aSe, final long aSig, final boolean bn, final int bSe, final long bSig) {
        if ((an && (aSig & QUIET_BIT) == 0) || (bn && (bSig & QUIET_BIT) == 0)) {
            flags |= IE;
        }
        int rse;
        long rsig;
        final boolean aQuiet = (aSig & QUIET_BIT) != 0;
        if (sseNaN) { // the first source operand if it is a NaN, else the second
            result(an ? aSe : bSe, (an ? aSig : bSig) | QUIET_BIT);
            return;
        }
        final boolean bQuiet = (bSig & QUIET_BIT) != 0;
        if (an && bn && aQuiet != bQuiet) { // an SNaN and a QNaN: the QNaN
            rse = aQuiet ? aSe : bSe;
            rsig = aQuiet ? aSig : bSig;
        } else if (an && bn) {
            final long qa = aSig | QUIET_BIT;
            final long qb = bSig | QUIET_BIT;
            final int cmp = Long.compareUnsigned(qa, qb);
            if (cmp > 0 || (cmp == 0 && (aSe & 0x8000) <= (bSe & 0x8000))) {
                rse = aSe;
                rsig = aSig;
            } else {
                rse = bSe;
                rsig = bSig;
            }
        } else if (an) {
            rse = aSe;
            rsig = aSig;
        } else {
            rse = bSe;
            rsig = bSig;
        }
        result(rse, rsig | QUIET_BIT);
    }

    /** A one-operand NaN or unsupported operand; true if the result is decided. Sets DE for a denormal. */
    private boolean specials1(final int aSe, final long aSig) {
        if (isUnsupported(aSe, aSig)) {
            indefinite();
            return true;
        }
        if (isNaN(aSe, aSig)) {
            if ((aSig & QUIET_BIT) == 0) {
                flags |= IE;
            }
            result(aSe, aSig | QUIET_BIT);
            return true;
        }
        if (isDenormal(aSe, aSig)) {
            flags |= DE;
        }
        return false;
    }

    // ---- rounding ---------------------------------------------------------------------------------------------

    /** (hi:lo) >> n with the bits shifted out ORed into bit 0 ("jamming"); result in jHi/jLo. */
    private void shiftRightJam128(final long hi, final long lo, final int n) {
        if (n == 0) {
            jHi = hi;
            jLo = lo;
        } else if (n < 64) {
            jHi = hi >>> n;
            jLo = (hi << (64 - n)) | (lo >>> n) | ((lo << (64 - n)) != 0 ? 1 : 0);
        } else if (n == 64) {
            jHi = 0;
            jLo = hi | (lo != 0 ? 1 : 0);
        } else if (n < 128) {
            jHi = 0;
            jLo = (hi >>> (n - 64)) | (((hi << (128 - n)) | lo) != 0 ? 1 : 0);
        } else {
            jHi = 0;
            jLo = (hi | lo) != 0 ? 1 : 0;
        }
    }

    private boolean increment(final int sgn, final boolean lsb, final boolean guard, final boolean sticky) {
        return switch (rc) {
            case RC_NEAREST -> guard && (sticky || lsb);
            case RC_DOWN -> sgn != 0 && (guard || sticky);
            case RC_UP -> sgn == 0 && (guard || sticky);
            default -> false;
        };
    }

    /** Whether rounding sig:ext to p bits carries out of bit 63 (only when the kept bits are all ones). */
    private boolean carriesOut(final int sgn, final long s, final long ext, final int p) {
        final long keep = p == 64 ? -1L : ~(-1L >>> p);
        if ((s & keep) != keep) {
            return false;
        }
        final boolean guard;
        final boolean sticky;
        if (p == 64) {
            guard = ext < 0;
            sticky = (ext << 1) != 0;
        } else {
            final long lsbBit = 1L << (64 - p);
            guard = (s & (lsbBit >>> 1)) != 0;
            sticky = (s & ((lsbBit >>> 1) - 1)) != 0 || ext != 0;
        }
        return increment(sgn, true, guard, sticky);
    }

    /**
     * Rounds sgn × (s:ext / 2^63) × 2^e, with bit 63 of {@code s} set, to {@code p} bits in a format with normal
     * exponents emin..emax. {@code wrap} is {@link #WRAP} for a register destination (unmasked overflow and
     * underflow deliver a re-biased result) and 0 for a memory destination. Leaves outE/outSig/outInf; outSig
     * with bit 63 clear is a denormal (or zero) at exponent emin.
     */
    private void round(final int sgn, int e, long s, long ext, final int p, final int emin, final int emax, final int wrap) {
        boolean tiny = false;
        if (e < emin) {
            if (wrap != 0 && (masks & UE) == 0) {
                flags |= UE;
                e += wrap;
            } else {
                tiny = e < emin - 1 || !carriesOut(sgn, s, ext, p);
                shiftRightJam128(s, ext, emin - e);
                s = jHi;
                ext = jLo;
                e = emin;
            }
        }
        final long lsbBit = p == 64 ? 1 : 1L << (64 - p);
        final long roundMask = lsbBit - 1;
        final boolean guard;
        final boolean sticky;
        if (p == 64) {
            guard = ext < 0;
            sticky = (ext << 1) != 0;
        } else {
            guard = (s & (lsbBit >>> 1)) != 0;
            sticky = (s & (roundMask >>> 1)) != 0 || ext != 0;
        }
        final boolean inexact = guard || sticky;
        final boolean inc = increment(sgn, (s & lsbBit) != 0, guard, sticky);
        s &= ~roundMask;
        if (inc) {
            final long t = s + lsbBit;
            if (s < 0 && t >= 0) { // carry out of bit 63
                s = INT_BIT;
                e++;
            } else {
                s = t;
            }
        }
        if (inexact) {
            flags |= PE;
            roundedUp = inc;
        }
        if (tiny && inexact) {
            flags |= UE;
        }
        outInf = false;
        if (e > emax) {
            if (wrap != 0 && (masks & OE) == 0) {
                flags |= OE;
                e -= wrap;
            } else {
                flags |= OE | PE;
                final boolean toInf = rc == RC_NEAREST || (rc == RC_DOWN && sgn != 0) || (rc == RC_UP && sgn == 0);
                if (toInf) {
                    outInf = true;
                    roundedUp = true;
                } else {
                    e = emax;
                    s = ~roundMask;
                    roundedUp = false;
                }
            }
        }
        outE = e;
        outSig = s;
        lastTiny = tiny;
    }

    /** Rounds to the register format at precision {@code p} and packs into se/sig. */
    private void roundToReg(final int sgn, final int e, final long s, final long ext, final int p) {
        round(sgn, e, s, ext, p, tEmin, tEmax, tWrap);
        if (outInf) {
            inf(sgn);
        } else if (outSig < 0) {
            result(sgn << 15 | (outE + BIAS), outSig);
        } else if (tWrap == 0 && outSig != 0) {
            // a single or double denormal: a normal number in the register format, converted back exactly
            final int n = Long.numberOfLeadingZeros(outSig);
            result(sgn << 15 | (outE - n + BIAS), outSig << n);
        } else {
            result(sgn << 15, outSig); // denormal or zero
        }
    }

    // ---- arithmetic -----------------------------------------------------------------------------------------

    /** a + b, or a - b with {@code subtract}; rounded to the precision control. */
    void add(final int aSe, final long aSig, int bSe, final long bSig, final boolean subtract) {
        begin();
        if (specials2(aSe, aSig, bSe, bSig)) {
            return;
        }
        if (subtract) {
            bSe ^= 0x8000;
        }
        final boolean aInf = isInf(aSe, aSig);
        final boolean bInf = isInf(bSe, bSig);
        if (aInf || bInf) {
            if (aInf && bInf && ((aSe ^ bSe) & 0x8000) != 0) {
                indefinite();
            } else {
                result(aInf ? aSe : bSe, INT_BIT);
            }
            return;
        }
        final boolean aZero = isZero(aSe, aSig);
        final boolean bZero = isZero(bSe, bSig);
        if (aZero && bZero) {
            zero(((aSe ^ bSe) & 0x8000) == 0 ? sign(aSe) : rc == RC_DOWN ? 1 : 0);
            return;
        }
        if (aZero || bZero) {
            final int xse = aZero ? bSe : aSe;
            unpackA(xse, aZero ? bSig : aSig);
            roundToReg(sign(xse), ae, asig, 0, pc);
            return;
        }
        unpackA(aSe, aSig);
        unpackB(bSe, bSig);
        int sa = sign(aSe);
        int sb = sign(bSe);
        if (ae < be || (ae == be && Long.compareUnsigned(asig, bsig) < 0)) {
            final int te = ae;
            final long ts = asig;
            ae = be;
            asig = bsig;
            be = te;
            bsig = ts;
            final int t = sa;
            sa = sb;
            sb = t;
        }
        shiftRightJam128(bsig, 0, Math.min(ae - be, 200));
        long hi;
        long lo;
        int e = ae;
        if (sa == sb) {
            lo = jLo;
            hi = asig + jHi;
            if (Long.compareUnsigned(hi, asig) < 0) {
                lo = (lo >>> 1) | (hi << 63) | (lo & 1);
                hi = (hi >>> 1) | INT_BIT;
                e++;
            }
        } else {
            lo = -jLo;
            hi = asig - jHi - (jLo != 0 ? 1 : 0);
            if (hi == 0 && lo == 0) {
                zero(rc == RC_DOWN ? 1 : 0);
                return;
            }
            final int n = hi != 0 ? Long.numberOfLeadingZeros(hi) : 64 + Long.numberOfLeadingZeros(lo);
            if (n >= 64) {
                hi = lo << (n - 64);
                lo = 0;
            } else if (n > 0) {
                hi = (hi << n) | (lo >>> (64 - n));
                lo <<= n;
            }
            e -= n;
        }
        roundToReg(sa, e, hi, lo, pc);
    }

    void mul(final int aSe, final long aSig, final int bSe, final long bSig) {
        begin();
        if (specials2(aSe, aSig, bSe, bSig)) {
            return;
        }
        final int sgn = sign(aSe ^ bSe);
        final boolean aInf = isInf(aSe, aSig);
        final boolean bInf = isInf(bSe, bSig);
        final boolean aZero = isZero(aSe, aSig);
        final boolean bZero = isZero(bSe, bSig);
        if (aInf || bInf) {
            if (aZero || bZero) {
                indefinite();
            } else {
                inf(sgn);
            }
            return;
        }
        if (aZero || bZero) {
            zero(sgn);
            return;
        }
        unpackA(aSe, aSig);
        unpackB(bSe, bSig);
        long hi = Math.unsignedMultiplyHigh(asig, bsig);
        long lo = asig * bsig;
        int e = ae + be;
        if (hi < 0) {
            e++;
        } else {
            hi = (hi << 1) | (lo >>> 63);
            lo <<= 1;
        }
        roundToReg(sgn, e, hi, lo, pc);
    }

    void div(final int aSe, final long aSig, final int bSe, final long bSig) {
        begin();
        if (specials2(aSe, aSig, bSe, bSig)) {
            return;
        }
        final int sgn = sign(aSe ^ bSe);
        final boolean aInf = isInf(aSe, aSig);
        final boolean bInf = isInf(bSe, bSig);
        final boolean aZero = isZero(aSe, aSig);
        final boolean bZero = isZero(bSe, bSig);
        if (aInf) {
            if (bInf) {
                indefinite();
            } else {
                inf(sgn);
            }
            return;
        }
        if (bInf) {
            zero(sgn);
            return;
        }
        if (bZero) {
            if (aZero) {
                indefinite();
            } else {
                flags = (flags & ~DE) | ZE; // divide-by-zero takes precedence over a denormal dividend
                inf(sgn);
            }
            return;
        }
        if (aZero) {
            zero(sgn);
            return;
        }
        unpackA(aSe, aSig);
        unpackB(bSe, bSig);
        long r = asig;
        final long d = bsig;
        long q;
        int e;
        if (Long.compareUnsigned(r, d) >= 0) {
            r -= d;
            e = ae - be;
        } else {
            r = (r << 1) - d; // 2r >= 2^64 > d: the difference fits although 2r does not
            e = ae - be - 1;
        }
        q = 1;
        for (int i = 0; i < 63; i++) {
            final boolean carry = r < 0;
            r <<= 1;
            q <<= 1;
            if (carry || Long.compareUnsigned(r, d) >= 0) {
                r -= d;
                q |= 1;
            }
        }
        final boolean carry = r < 0;
        r <<= 1;
        long ext = 0;
        if (carry || Long.compareUnsigned(r, d) >= 0) {
            r -= d;
            ext = INT_BIT;
        }
        if (r != 0) {
            ext |= 1;
        }
        roundToReg(sgn, e, q, ext, pc);
    }

    void sqrt(final int aSe, final long aSig) {
        begin();
        if (specials1(aSe, aSig)) {
            return;
        }
        if (isZero(aSe, aSig)) {
            result(aSe, 0);
            return;
        }
        if ((aSe & 0x8000) != 0) {
            indefinite();
            return;
        }
        if (isInf(aSe, aSig)) {
            result(aSe, aSig);
            return;
        }
        unpackA(aSe, aSig);
        int e = ae;
        BigInteger radicand = unsigned(asig);
        if ((e & 1) != 0) {
            radicand = radicand.shiftLeft(1);
            e--;
        }
        // root of (R × 2^63) with one more bit: sqrt(R × 2^65) = 2 × sqrt(R × 2^63)
        final BigInteger scaled = radicand.shiftLeft(65);
        final BigInteger[] root = scaled.sqrtAndRemainder();
        final BigInteger rt = root[0]; // 65 bits
        final long s = rt.shiftRight(1).longValue();
        long ext = rt.testBit(0) ? INT_BIT : 0;
        if (root[1].signum() != 0) {
            ext |= 1;
        }
        roundToReg(0, e >> 1, s, ext, pc);
    }

    private static BigInteger unsigned(final long v) {
        final BigInteger b = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }

    // ---- integers ---------------------------------------------------------------------------------------------

    /** FRNDINT: rounds to an integer in the rounding mode (not the precision control). */
    void roundToInt(final int aSe, final long aSig) {
        begin();
        if (specials1(aSe, aSig)) {
            return;
        }
        if (isZero(aSe, aSig) || isInf(aSe, aSig)) {
            result(aSe, aSig);
            return;
        }
        unpackA(aSe, aSig);
        final int sgn = sign(aSe);
        if (ae >= 63) {
            result(aSe, aSig);
            return;
        }
        if (ae < 0) {
            final boolean guard = ae == -1;
            final boolean sticky = ae < -1 || asig != INT_BIT;
            flags |= PE;
            if (increment(sgn, false, guard, sticky)) {
                roundedUp = true;
                result(sgn << 15 | BIAS, INT_BIT);
            } else {
                zero(sgn);
            }
            return;
        }
        roundToReg(sgn, ae, asig, 0, ae + 1);
    }

    /**
     * FIST/FISTP/FISTTP: ST0 to a signed integer of {@code bits} bits, rounded (or truncated). Returns the integer;
     * an invalid conversion sets IE and returns the integer indefinite (the most negative value).
     */
    long toInt(final int aSe, final long aSig, final int bits, final boolean truncate) {
        begin();
        final long indefinite = 1L << (bits - 1);
        if (isUnsupported(aSe, aSig) || isNaN(aSe, aSig) || isInf(aSe, aSig)) {
            flags |= IE;
            return indefinite;
        }
        if (isZero(aSe, aSig)) {
            return 0;
        }
        unpackA(aSe, aSig); // a denormal source raises no DE here (SDM FIST: #IS, #IA, #P only)
        final int sgn = sign(aSe);
        if (ae >= 64) {
            flags |= IE;
            return indefinite;
        }
        long mag;
        boolean guard;
        boolean sticky;
        if (ae < 0) {
            mag = 0;
            guard = ae == -1;
            sticky = ae < -1 || asig != INT_BIT;
        } else if (ae == 63) {
            mag = asig;
            guard = false;
            sticky = false;
        } else {
            mag = asig >>> (63 - ae);
            final long frac = asig << (ae + 1);
            guard = frac < 0;
            sticky = (frac << 1) != 0;
        }
        final boolean inexact = guard || sticky;
        final int savedRc = rc;
        if (truncate) {
            rc = RC_ZERO;
        }
        final boolean inc = increment(sgn, (mag & 1) != 0, guard, sticky);
        rc = savedRc;
        if (inc) {
            mag++;
            if (mag == 0) {
                flags |= IE;
                return indefinite;
            }
        }
        final long limit = 1L << (bits - 1); // unsigned compare: magnitude allowed is limit (negative) or limit - 1
        if (Long.compareUnsigned(mag, sgn != 0 ? limit : limit - 1) > 0) {
            flags |= IE;
            return indefinite;
        }
        if (inexact) {
            flags |= PE;
            roundedUp = inc;
        }
        return sgn != 0 ? -mag : mag;
    }

    /** FILD: a signed 64-bit integer, exactly. */
    void fromInt(final long v) {
        begin();
        if (v == 0) {
            zero(0);
            return;
        }
        final int sgn = v < 0 ? 1 : 0;
        final long mag = v < 0 ? -v : v; // Long.MIN_VALUE stays 2^63 as unsigned
        final int n = Long.numberOfLeadingZeros(mag);
        result(sgn << 15 | (63 - n + BIAS), mag << n);
    }

    // ---- formats ----------------------------------------------------------------------------------------------

    /** FLD m32fp: exact; an SNaN raises IE and is quieted, a denormal raises DE. */
    void fromF32(final int v) {
        fromF32(v, true);
    }

    /**
     * m32fp to extended, exactly. With {@code load} (FLD) an SNaN raises IE and is quieted; as an arithmetic
     * operand it stays signaling so that the operation applies the NaN rules (and raises IE) itself.
     */
    void fromF32(final int v, final boolean load) {
        begin();
        final int sgn = v >>> 31;
        final int e = (v >>> 23) & 0xFF;
        final long m = v & 0x7FFFFFL;
        if (e == 0xFF) {
            if (m == 0) {
                inf(sgn);
            } else {
                if ((m & 0x400000) == 0 && load) {
                    flags |= IE;
                }
                result(sgn << 15 | 0x7FFF, INT_BIT | (load ? QUIET_BIT : 0) | (m << 40));
            }
        } else if (e == 0) {
            if (m == 0) {
                zero(sgn);
            } else {
                flags |= DE;
                final int n = Long.numberOfLeadingZeros(m);
                // value = m × 2^-149
                result(sgn << 15 | (63 - n - 149 + BIAS), m << n);
            }
        } else {
            result(sgn << 15 | (e - 127 + BIAS), INT_BIT | (m << 40));
        }
    }

    /** FLD m64fp. */
    void fromF64(final long v) {
        fromF64(v, true);
    }

    void fromF64(final long v, final boolean load) {
        begin();
        final int sgn = (int) (v >>> 63);
        final int e = (int) (v >>> 52) & 0x7FF;
        final long m = v & 0xF_FFFF_FFFF_FFFFL;
        if (e == 0x7FF) {
            if (m == 0) {
                inf(sgn);
            } else {
                if ((m & (1L << 51)) == 0 && load) {
                    flags |= IE;
                }
                result(sgn << 15 | 0x7FFF, INT_BIT | (load ? QUIET_BIT : 0) | (m << 11));
            }
        } else if (e == 0) {
            if (m == 0) {
                zero(sgn);
            } else {
                flags |= DE;
                final int n = Long.numberOfLeadingZeros(m);
                result(sgn << 15 | (63 - n - 1074 + BIAS), m << n);
            }
        } else {
            result(sgn << 15 | (e - 1023 + BIAS), INT_BIT | (m << 11));
        }
    }

    /** FST m32fp: rounded to single precision in the rounding mode. */
    int toF32(final int aSe, final long aSig) {
        begin();
        final int sgn = sign(aSe);
        if (isUnsupported(aSe, aSig)) {
            flags |= IE;
            return 0xFFC00000;
        }
        if (isNaN(aSe, aSig)) {
            if ((aSig & QUIET_BIT) == 0) {
                flags |= IE;
            }
            return sgn << 31 | 0x7FC00000 | (int) ((aSig >>> 40) & 0x7FFFFF);
        }
        if (isInf(aSe, aSig)) {
            return sgn << 31 | 0x7F800000;
        }
        if (isZero(aSe, aSig)) {
            return sgn << 31;
        }
        unpackA(aSe, aSig);
        round(sgn, ae, asig, 0, 24, -126, 127, 0);
        if (outInf) {
            return sgn << 31 | 0x7F800000;
        }
        if (outSig < 0) {
            return sgn << 31 | (outE + 127) << 23 | (int) ((outSig >>> 40) & 0x7FFFFF);
        }
        return sgn << 31 | (int) (outSig >>> 40);
    }

    /** FST m64fp. */
    long toF64(final int aSe, final long aSig) {
        begin();
        final long sgn = (long) sign(aSe) << 63;
        if (isUnsupported(aSe, aSig)) {
            flags |= IE;
            return 0xFFF8_0000_0000_0000L;
        }
        if (isNaN(aSe, aSig)) {
            if ((aSig & QUIET_BIT) == 0) {
                flags |= IE;
            }
            return sgn | 0x7FF8_0000_0000_0000L | ((aSig >>> 11) & 0xF_FFFF_FFFF_FFFFL);
        }
        if (isInf(aSe, aSig)) {
            return sgn | 0x7FF0_0000_0000_0000L;
        }
        if (isZero(aSe, aSig)) {
            return sgn;
        }
        unpackA(aSe, aSig);
        round(sign(aSe), ae, asig, 0, 53, -1022, 1023, 0);
        if (outInf) {
            return sgn | 0x7FF0_0000_0000_0000L;
        }
        if (outSig < 0) {
            return sgn | (long) (outE + 1023) << 52 | ((outSig >>> 11) & 0xF_FFFF_FFFF_FFFFL);
        }
        return sgn | (outSig >>> 11);
    }

    /**
     * Rounds an exact value sgn × (hi:lo / 2^63) × 2^e (hi normalized) to 64 bits in the rounding mode, without
     * raising PE (the x87 constants), or with it ({@code inexactFlag}) for results known to be inexact.
     */
    void fromExact(final int sgn, final int e, final long hi, final long lo, final boolean keepFlags) {
        begin();
        roundToReg(sgn, e, hi, lo, 64);
        if (!keepFlags) {
            flags = 0;
            roundedUp = false;
        }
    }

    // ---- comparison and classification ------------------------------------------------------------------------

    /**
     * Compares a with b: -1 less, 0 equal, 1 greater, 2 unordered. Any NaN (or unsupported operand) raises IE
     * for an ordered comparison; for an unordered one (FUCOM) only an SNaN or unsupported operand does.
     */
    int compare(final int aSe, final long aSig, final int bSe, final long bSig, final boolean quiet) {
        begin();
        if (isUnsupported(aSe, aSig) || isUnsupported(bSe, bSig)) {
            flags |= IE;
            return 2;
        }
        final boolean an = isNaN(aSe, aSig);
        final boolean bn = isNaN(bSe, bSig);
        if (an || bn) {
            if (!quiet || isSNaN(aSe, aSig) || isSNaN(bSe, bSig)) {
                flags |= IE;
            }
            return 2;
        }
        if (isDenormal(aSe, aSig) || isDenormal(bSe, bSig)) {
            flags |= DE;
        }
        final boolean az = isZero(aSe, aSig);
        final boolean bz = isZero(bSe, bSig);
        if (az && bz) {
            return 0;
        }
        final int sa = sign(aSe);
        final int sb = sign(bSe);
        if (az) {
            return sb != 0 ? 1 : -1;
        }
        if (bz) {
            return sa != 0 ? -1 : 1;
        }
        if (sa != sb) {
            return sa != 0 ? -1 : 1;
        }
        final int mag = compareMagnitude(aSe, aSig, bSe, bSig);
        return sa != 0 ? -mag : mag;
    }

    private int compareMagnitude(final int aSe, final long aSig, final int bSe, final long bSig) {
        final boolean aInf = isInf(aSe, aSig);
        final boolean bInf = isInf(bSe, bSig);
        if (aInf || bInf) {
            return aInf == bInf ? 0 : aInf ? 1 : -1;
        }
        unpackA(aSe, aSig);
        unpackB(bSe, bSig);
        if (ae != be) {
            return ae < be ? -1 : 1;
        }
        return Integer.signum(Long.compareUnsigned(asig, bsig));
    }

    // ---- FSCALE, FXTRACT, FPREM ----------------------------------------------------------------------------

    /** FSCALE: a × 2^trunc(b). */
    void scale(final int aSe, final long aSig, final int bSe, final long bSig) {
        begin();
        if (specials2(aSe, aSig, bSe, bSig)) {
            return;
        }
        final boolean aInf = isInf(aSe, aSig);
        final boolean aZero = isZero(aSe, aSig);
        if (isInf(bSe, bSig)) {
            final boolean up = (bSe & 0x8000) == 0;
            if (up ? aZero : aInf) {
                indefinite();
            } else if (aZero || aInf) {
                result(aSe, aSig);
            } else if (up) {
                inf(sign(aSe));
            } else {
                zero(sign(aSe));
            }
            return;
        }
        if (aInf || aZero) {
            result(aSe, aSig);
            return;
        }
        long n;
        if (isZero(bSe, bSig)) {
            n = 0;
        } else {
            unpackB(bSe, bSig);
            if (be < 0) {
                n = 0;
            } else if (be >= 30) {
                n = 1L << 30;
            } else {
                n = bsig >>> (63 - be);
            }
            if ((bSe & 0x8000) != 0) {
                n = -n;
            }
        }
        unpackA(aSe, aSig);
        roundToReg(sign(aSe), (int) Math.max(Math.min(ae + n, 1 << 20), -(1 << 20)), asig, 0, 64);
    }

    /** FXTRACT of a finite non-zero value: the unbiased exponent as a value; {@link #sig} etc. hold it. */
    int exponentOf(final int aSe, final long aSig) {
        unpackA(aSe, aSig);
        return ae;
    }

    /** The significand of a finite non-zero value normalized to exponent 0 (FXTRACT's second result). */
    long normalizedSig(final int aSe, final long aSig) {
        unpackA(aSe, aSig);
        return asig;
    }

    /** Quotient bits of the last {@link #remainder}: the low three bits of the quotient. */
    int quotient;
    /** Whether the last {@link #remainder} was partial (C2). */
    boolean partial;

    /**
     * FPREM ({@code ieee} false: truncated quotient) and FPREM1 (round to nearest): ST0 - q × ST1, exact. When the
     * exponents differ by 64 or more, a partial remainder reduces the exponent difference and sets
     * {@link #partial}.
     */
    void remainder(final int aSe, final long aSig, final int bSe, final long bSig, final boolean ieee) {
        begin();
        quotient = 0;
        partial = false;
        if (specials2(aSe, aSig, bSe, bSig)) {
            return;
        }
        if (isInf(aSe, aSig) || isZero(bSe, bSig)) {
            indefinite();
            return;
        }
        if (isInf(bSe, bSig) || isZero(aSe, aSig)) {
            if (isDenormal(aSe, aSig)) {
                unpackA(aSe, aSig);
                roundToReg(sign(aSe), ae, asig, 0, 64);
            } else {
                result(aSe, aSig);
            }
            return;
        }
        unpackA(aSe, aSig);
        unpackB(bSe, bSig);
        final int sgn = sign(aSe);
        final int d = ae - be;
        if (d < 0 && !(ieee && d == -1)) {
            roundToReg(sgn, ae, asig, 0, 64); // |a| < |b| (or < |b|/2 for FPREM1): a is the remainder
            return;
        }
        final BigInteger a = unsigned(asig);
        final BigInteger b = unsigned(bsig);
        BigInteger rem;
        int remExp; // the remainder's value is rem × 2^(remExp - 63)
        if (d < 64) {
            final BigInteger num = d >= 0 ? a.shiftLeft(d) : a;
            final BigInteger den = d >= 0 ? b : b.shiftLeft(1);
            final BigInteger[] qr = num.divideAndRemainder(den);
            BigInteger q = qr[0];
            rem = qr[1];
            if (ieee) {
                final int c = rem.shiftLeft(1).compareTo(den);
                if (c > 0 || (c == 0 && q.testBit(0))) {
                    q = q.add(BigInteger.ONE);
                    rem = rem.subtract(den);
                }
            }
            quotient = q.intValue() & 7;
            remExp = d >= 0 ? be : ae;
            if (d < 0) {
                remExp = be - 1;
            }
        } else {
            // N = 32 + ((D - 32) mod 32): the exponent difference drops to a multiple of 32 (as measured on
            // hardware; the SDM leaves N implementation-specific between 32 and 63). The quotient bits are not
            // reported for a partial remainder (C0, C3, C1 cleared).
            final int n = 32 + ((d - 32) & 31);
            rem = a.shiftLeft(n).mod(b);
            quotient = 0;
            remExp = ae - n;
            partial = true;
        }
        int rs = sgn;
        if (rem.signum() < 0) {
            rem = rem.negate();
            rs ^= 1;
        }
        if (rem.signum() == 0) {
            zero(sgn);
            return;
        }
        final int len = rem.bitLength(); // <= 64
        final long r = rem.longValue() << (64 - len);
        roundToReg(rs, remExp - 64 + len, r, 0, 64);
    }
}
