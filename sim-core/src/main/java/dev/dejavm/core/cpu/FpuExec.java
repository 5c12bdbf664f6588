package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.gen.Mnemonic;

/**
 * The x87 FPU (D8-DF, FWAIT) with 80-bit arithmetic from {@link Fp80}, and the SSE control state (LDMXCSR,
 * STMXCSR, FXSAVE/FXRSTOR). Every x87 instruction of the SDM's Vol. 2 is implemented, including the reserved
 * aliases (FCOM2, FCOMP3, FCOMP5, FXCH4, FXCH7, FSTP1, FSTP8, FSTP9, FFREEP) and the 8087/287 no-ops (FNENI,
 * FNDISI, FNSETPM).
 *
 * <p>The register stack: physical registers R0-R7 in {@code CpuState.fpSig/fpExp}, TOP in the status word,
 * a full tag word kept current on every register write. Exceptions (SDM Vol. 1, 8.4-8.7): a masked exception sets
 * its flag and the instruction delivers the masked response; an unmasked invalid-operation, denormal or
 * divide-by-zero exception leaves the destination and the stack untouched; unmasked overflow and underflow deliver
 * the re-biased result to a register (nothing to memory); every unmasked exception sets ES and B, and the next
 * waiting x87 instruction (or FWAIT) raises #MF when CR0.NE is set. With CR0.NE clear the pending exception
 * would assert FERR# (IRQ 13 through the PIC); that external path is not modelled and the instruction proceeds.
 * CR0.EM or CR0.TS raise #NM (FWAIT only with TS and MP).
 *
 * <p>FIP/FCS/FOP are updated by every instruction except the control instructions (FNINIT, FNCLEX, FLDCW, FNSTCW,
 * FNSTSW, FNSTENV, FLDENV, FNSAVE, FRSTOR); FDP/FDS only by instructions with a memory operand.
 */
final class FpuExec {
    /** MXCSR bits that exist (flags, masks, rounding, FZ, DAZ); the others are reserved. */
    static final int MXCSR_MASK = 0xFFFF;
    /** XCR0 components XSAVE manages here: x87 (bit 0) and SSE (bit 1). AVX and later are not implemented. */
    static final long XCR0_SUPPORTED = 3;

    static final int C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;
    static final int SF = 0x40, ES = 0x80, B = 0x8000;
    private static final int CC = C0 | C1 | C2 | C3;
    private static final int BLOCKING = Fp80.IE | Fp80.DE | Fp80.ZE;

    private FpuExec() {
    }

    // ---- checks ----------------------------------------------------------------------------------------

    private static void checkX87(final Interpreter c) {
        if ((c.s.cr0 & (CpuState.CR0_EM | CpuState.CR0_TS)) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
    }

    /** A pending unmasked exception is reported before a waiting x87 instruction (SDM Vol. 1, 8.6). */
    private static void checkPending(final Interpreter c) {
        if ((c.s.fpuStatus & ES) != 0 && (c.s.cr0 & CpuState.CR0_NE) != 0) {
            throw c.fault(Interpreter.VEC_MF);
        }
    }

    static void fwait(final Interpreter c) {
        if ((c.s.cr0 & (CpuState.CR0_TS | CpuState.CR0_MP)) == (CpuState.CR0_TS | CpuState.CR0_MP)) {
            throw c.fault(Interpreter.VEC_NM);
        }
        checkPending(c);
    }

    // ---- the register stack -------------------------------------------------------------------------------

    static int top(final CpuState s) {
        return (s.fpuStatus >> 11) & 7;
    }

    private static void setTop(final CpuState s, final int t) {
        s.fpuStatus = (s.fpuStatus & ~0x3800) | (t & 7) << 11;
    }

    static int phys(final CpuState s, final int i) {
        return (top(s) + i) & 7;
    }

    private static boolean empty(final CpuState s, final int i) {
        return ((s.fpuTag >> (2 * phys(s, i))) & 3) == 3;
    }

    private static void writePhys(final CpuState s, final int p, final int se, final long sig) {
        s.fpExp[p] = se & 0xFFFF;
        s.fpSig[p] = sig;
        s.fpuTag = (s.fpuTag & ~(3 << (2 * p))) | Fp80.tag(se, sig) << (2 * p);
    }

    private static void write(final CpuState s, final int i, final int se, final long sig) {
        writePhys(s, phys(s, i), se, sig);
    }

    private static void pop(final CpuState s) {
        s.fpuTag |= 3 << (2 * top(s));
        setTop(s, top(s) + 1);
    }

    private static void push(final CpuState s, final int se, final long sig) {
        setTop(s, top(s) - 1);
        write(s, 0, se, sig);
    }

    private static int se(final CpuState s, final int i) {
        return s.fpExp[phys(s, i)];
    }

    private static long sig(final CpuState s, final int i) {
        return s.fpSig[phys(s, i)];
    }

    /** The full tag word computed from the registers' contents (empty registers stay empty). */
    static int tagWord(final CpuState s) {
        int t = 0;
        for (int p = 0; p < 8; p++) {
            final int cur = (s.fpuTag >> (2 * p)) & 3;
            t |= (cur == 3 ? 3 : Fp80.tag(s.fpExp[p], s.fpSig[p])) << (2 * p);
        }
        return t;
    }

    // ---- status -----------------------------------------------------------------------------------------------

    /**
     * Accumulates the exception flags of an operation into the status word. Returns true if the result must not
     * be written (an unmasked invalid, denormal or divide-by-zero exception).
     */
    private static boolean raise(final CpuState s, final int flags) {
        final int unmasked = flags & ~s.fpuControl & 0x3F;
        if ((unmasked & BLOCKING) != 0) {
            // detected before the operation: the result-dependent flags (OE, UE, PE) never arise
            s.fpuStatus |= flags & (BLOCKING | SF) | ES | B;
            return true;
        }
        s.fpuStatus |= flags & 0x7F;
        if (unmasked != 0) {
            s.fpuStatus |= ES | B;
        }
        return false;
    }

    /** For comparisons: only an unmasked invalid operation leaves the condition codes unset (SDM FCOM). */
    private static boolean raiseCompare(final CpuState s, final int flags) {
        final int unmasked = flags & ~s.fpuControl & 0x3F;
        s.fpuStatus |= flags & 0x7F;
        if (unmasked != 0) {
            s.fpuStatus |= ES | B;
        }
        return (unmasked & Fp80.IE) != 0;
    }

    private static void setCc(final CpuState s, final int cc) {
        s.fpuStatus = (s.fpuStatus & ~CC) | cc;
    }

    /** Stack underflow (reading an empty register): IE and SF with C1 = 0. True if unmasked (nothing written). */
    private static boolean underflow(final CpuState s) {
        s.fpuStatus &= ~C1;
        return raise(s, Fp80.IE | SF);
    }

    /** Stack overflow (pushing onto a non-empty register): IE and SF with C1 = 1. */
    private static boolean overflow(final CpuState s) {
        s.fpuStatus |= C1;
        return raise(s, Fp80.IE | SF);
    }

    /** Writes an arithmetic result: flags, C1 = rounded up, ES; false if an unmasked exception blocked it. */
    private static boolean deliver(final CpuState s, final Fp80 f, final int extraFlags, final int i) {
        if (raise(s, f.flags | extraFlags)) {
            return false;
        }
        s.fpuStatus = (s.fpuStatus & ~C1) | (f.roundedUp ? C1 : 0);
        write(s, i, f.se, f.sig);
        return true;
    }

    // ---- dispatch -------------------------------------------------------------------------------------------

    /** D8-DF. */
    static void x87(final Interpreter c, final DecodedInsn d) {
        checkX87(c);
        final CpuState s = c.s;
        final int op = d.opcode;
        final int r = d.reg & 7;
        if (d.mod != 3) {
            if (isControl(op, r)) {
                control(c, d, op, r);
                return;
            }
            checkPending(c);
            c.fp.control(s.fpuControl);
            recordPointers(c, d);
            memory(c, d, op, r);
        } else {
            if ((op == 0xDB && (d.modrm == 0xE2 || d.modrm == 0xE3)) || (op == 0xDF && d.modrm == 0xE0)) {
                control(c, d, op, r);
                return;
            }
            if (op == 0xDB && d.modrm >= 0xE0 && d.modrm <= 0xE4) {
                return; // FNENI, FNDISI, FNSETPM: 8087/287 controls, no-ops since the 387
            }
            checkPending(c);
            c.fp.control(s.fpuControl);
            recordPointers(c, d);
            register(c, d, op, r, d.modrm & 7);
        }
    }

    private static boolean isControl(final int op, final int r) {
        return (op == 0xD9 && r >= 4) || (op == 0xDD && (r == 4 || r == 6 || r == 7));
    }

    private static void recordPointers(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        s.fpuOpcode = ((d.opcode & 7) << 8) | d.modrm;
        s.fpuIp = c.insnRip;
        s.fpuCs = s.sel[CpuState.CS];
        if (d.mod != 3) {
            s.fpuDp = c.memOff;
            s.fpuDs = s.sel[d.segment];
        }
    }

    // ---- memory forms ---------------------------------------------------------------------------------------

    private static void memory(final Interpreter c, final DecodedInsn d, final int op, final int r) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        switch (op) {
            case 0xD8 -> {
                f.fromF32(c.read32(c.memLin), false);
                arith(c, r, 0, f.se, f.sig, f.flags, false, false);
            }
            case 0xDC -> {
                f.fromF64(c.read64(c.memLin), false);
                arith(c, r, 0, f.se, f.sig, f.flags, false, false);
            }
            case 0xDA -> {
                f.fromInt(c.read32(c.memLin));
                arith(c, r, 0, f.se, f.sig, 0, false, false);
            }
            case 0xDE -> {
                f.fromInt((short) c.read16(c.memLin));
                arith(c, r, 0, f.se, f.sig, 0, false, false);
            }
            case 0xD9 -> {
                if (r == 0) {
                    f.fromF32(c.read32(c.memLin));
                    load(s, f.se, f.sig, f.flags);
                } else if (r == 2 || r == 3) {
                    storeFloat(c, 32, r == 3);
                } else {
                    throw c.ud();
                }
            }
            case 0xDD -> {
                if (r == 0) {
                    f.fromF64(c.read64(c.memLin));
                    load(s, f.se, f.sig, f.flags);
                } else if (r == 1) {
                    storeInt(c, 64, true, true);
                } else if (r == 2 || r == 3) {
                    storeFloat(c, 64, r == 3);
                } else {
                    throw c.ud();
                }
            }
            case 0xDB -> {
                switch (r) {
                    case 0 -> {
                        f.fromInt(c.read32(c.memLin));
                        load(s, f.se, f.sig, 0);
                    }
                    case 1 -> storeInt(c, 32, true, true);
                    case 2, 3 -> storeInt(c, 32, r == 3, false);
                    case 5 -> {
                        final long m = c.read64(c.memLin);
                        final int e = c.read16(c.truncLinear(c.memLin + 8));
                        load(s, e, m, 0);
                    }
                    case 7 -> store80(c);
                    default -> throw c.ud();
                }
            }
            default -> { // DF
                switch (r) {
                    case 0 -> {
                        f.fromInt((short) c.read16(c.memLin));
                        load(s, f.se, f.sig, 0);
                    }
                    case 1 -> storeInt(c, 16, true, true);
                    case 2, 3 -> storeInt(c, 16, r == 3, false);
                    case 4 -> fbld(c);
                    case 5 -> {
                        f.fromInt(c.read64(c.memLin));
                        load(s, f.se, f.sig, 0);
                    }
                    case 6 -> fbstp(c);
                    default -> storeInt(c, 64, true, false);
                }
            }
        }
    }

    /** Pushes a loaded value (FLD, FILD, FBLD, constants). */
    private static void load(final CpuState s, final int se, final long sig, final int flags) {
        if (!empty(s, 7)) {
            if (!overflow(s)) {
                push(s, Fp80.INDEF_SE, Fp80.INDEF_SIG);
            }
            return;
        }
        if (raise(s, flags)) {
            return;
        }
        s.fpuStatus &= ~C1;
        push(s, se, sig);
    }

    private static void storeFloat(final Interpreter c, final int bits, final boolean popAfter) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        long v;
        if (empty(s, 0)) {
            if (underflow(s)) {
                return;
            }
            v = bits == 32 ? 0xFFC00000L : 0xFFF8_0000_0000_0000L;
            f.roundedUp = false;
        } else {
            v = bits == 32 ? f.toF32(se(s, 0), sig(s, 0)) & 0xFFFFFFFFL : f.toF64(se(s, 0), sig(s, 0));
            final int unmasked = f.flags & ~s.fpuControl & 0x3F;
            if ((unmasked & (Fp80.IE | Fp80.OE | Fp80.UE)) != 0) {
                raise(s, f.flags & ~Fp80.PE); // nothing is stored to memory, so nothing was rounded
                return;
            }
        }
        c.write(c.memLin, bits, v);
        raise(s, f.flags);
        s.fpuStatus = (s.fpuStatus & ~C1) | (f.roundedUp ? C1 : 0);
        if (popAfter) {
            pop(s);
        }
    }

    private static void storeInt(final Interpreter c, final int bits, final boolean popAfter, final boolean truncate) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        long v;
        if (empty(s, 0)) {
            if (underflow(s)) {
                return;
            }
            v = 1L << (bits - 1);
            f.roundedUp = false;
        } else {
            v = f.toInt(se(s, 0), sig(s, 0), bits, truncate);
            if ((f.flags & ~s.fpuControl & Fp80.IE) != 0) {
                raise(s, f.flags);
                return;
            }
        }
        c.write(c.memLin, bits, v);
        raise(s, f.flags);
        s.fpuStatus = (s.fpuStatus & ~C1) | (f.roundedUp ? C1 : 0);
        if (popAfter) {
            pop(s);
        }
    }

    private static void store80(final Interpreter c) {
        final CpuState s = c.s;
        int e;
        long m;
        if (empty(s, 0)) {
            if (underflow(s)) {
                return;
            }
            e = Fp80.INDEF_SE;
            m = Fp80.INDEF_SIG;
        } else {
            e = se(s, 0);
            m = sig(s, 0);
            s.fpuStatus &= ~C1;
        }
        final long hiEnd = c.truncLinear(c.memLin + 9);
        c.translate(hiEnd, Interpreter.ACCESS_WRITE);
        c.write64(c.memLin, m);
        c.write16(c.truncLinear(c.memLin + 8), e);
        pop(s);
    }

    /** FBLD: 18 packed BCD digits and a sign byte; a non-decimal digit gives an undefined result (SDM). */
    private static void fbld(final Interpreter c) {
        final CpuState s = c.s;
        long v = 0;
        for (int i = 8; i >= 0; i--) {
            final int b = c.read8(c.truncLinear(c.memLin + i));
            v = v * 100 + ((b >> 4) & 0xF) * 10 + (b & 0xF);
        }
        final boolean neg = (c.read8(c.truncLinear(c.memLin + 9)) & 0x80) != 0;
        final Fp80 f = c.fp;
        f.fromInt(v);
        load(s, neg ? f.se | 0x8000 : f.se, f.sig, 0);
    }

    /** FBSTP: ST0 rounded to an integer, stored as 18 BCD digits; out of range stores the packed BCD indefinite. */
    private static void fbstp(final Interpreter c) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        long v;
        boolean neg;
        boolean indefinite = false;
        int flags = 0;
        if (empty(s, 0)) {
            if (underflow(s)) {
                return;
            }
            indefinite = true;
            v = 0;
            neg = true;
        } else {
            neg = (se(s, 0) & 0x8000) != 0;
            v = f.toInt(se(s, 0), sig(s, 0), 64, false);
            flags = f.flags;
            if ((flags & Fp80.IE) != 0 || v >= 1_000_000_000_000_000_000L || v <= -1_000_000_000_000_000_000L) {
                flags = (flags & ~Fp80.PE) | Fp80.IE;
                indefinite = true;
            }
            if ((flags & ~s.fpuControl & Fp80.IE) != 0) {
                raise(s, flags);
                return;
            }
        }
        c.translate(c.truncLinear(c.memLin + 9), Interpreter.ACCESS_WRITE);
        if (indefinite) {
            for (int i = 0; i < 7; i++) {
                c.write8(c.truncLinear(c.memLin + i), 0);
            }
            c.write8(c.truncLinear(c.memLin + 7), 0xC0);
            c.write8(c.truncLinear(c.memLin + 8), 0xFF);
            c.write8(c.truncLinear(c.memLin + 9), 0xFF);
        } else {
            long m = Math.abs(v);
            for (int i = 0; i < 9; i++) {
                final int lo = (int) (m % 10);
                m /= 10;
                final int hi = (int) (m % 10);
                m /= 10;
                c.write8(c.truncLinear(c.memLin + i), hi << 4 | lo);
            }
            c.write8(c.truncLinear(c.memLin + 9), neg ? 0x80 : 0);
        }
        raise(s, flags);
        s.fpuStatus = (s.fpuStatus & ~C1) | (!indefinite && f.roundedUp ? C1 : 0);
        pop(s);
    }

    // ---- arithmetic -------------------------------------------------------------------------------------------

    /**
     * The eight D8/DC/DA/DE operations by ModRM.reg: 0 FADD, 1 FMUL, 2 FCOM, 3 FCOMP, 4 FSUB, 5 FSUBR, 6 FDIV,
     * 7 FDIVR, applied as ST(dst) = ST(dst) op src ({@code reversed} swaps the operands of SUB and DIV).
     */
    private static void arith(final Interpreter c, final int r, final int dst, final int srcSe, final long srcSig,
            int srcFlags, final boolean reversed, final boolean popAfter) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        if (empty(s, dst)) {
            if (r == 2 || r == 3) {
                compareUnderflow(s, r == 3 ? 1 : 0);
                return;
            }
            if (!underflow(s)) {
                {
                    write(s, dst, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                    if (popAfter) {
                        pop(s);
                    }
                }
            }
            return;
        }
        final int dSe = se(s, dst);
        final long dSig = sig(s, dst);
        if (Fp80.isNaN(dSe, dSig) || Fp80.isUnsupported(dSe, dSig)) {
            srcFlags &= ~Fp80.DE; // a NaN or invalid operand takes precedence over a denormal one (SDM Vol. 1, 4.9.2)
        }
        if (r == 2 || r == 3) {
            compareInto(s, f, dSe, dSig, srcSe, srcSig, srcFlags, false, r == 3 ? 1 : 0);
            return;
        }
        final boolean rev = reversed ^ ((r & 1) != 0);
        switch (r) {
            case 0 -> f.add(dSe, dSig, srcSe, srcSig, false);
            case 1 -> f.mul(dSe, dSig, srcSe, srcSig);
            case 4, 5 -> {
                if (rev) {
                    f.add(srcSe, srcSig, dSe, dSig, true);
                } else {
                    f.add(dSe, dSig, srcSe, srcSig, true);
                }
            }
            default -> {
                if (rev) {
                    f.div(srcSe, srcSig, dSe, dSig);
                } else {
                    f.div(dSe, dSig, srcSe, srcSig);
                }
            }
        }
        if ((f.flags & (Fp80.IE | Fp80.ZE)) != 0) {
            srcFlags &= ~Fp80.DE; // invalid operation and divide-by-zero take precedence over a denormal operand
        }
        if (deliver(s, f, srcFlags, dst) && popAfter) {
            pop(s);
        }
    }

    /** FCOM-family result in C3/C2/C0 (C1 cleared), then {@code pops} pops. */
    private static void compareInto(final CpuState s, final Fp80 f, final int aSe, final long aSig, final int bSe, final long bSig,
            final int extraFlags, final boolean quiet, final int pops) {
        final int cmp = f.compare(aSe, aSig, bSe, bSig, quiet);
        // The condition codes are set even when an exception is unmasked; only the pops wait for a masked one.
        final boolean blocked = raise(s, f.flags | extraFlags);
        setCc(s, switch (cmp) {
            case -1 -> C0;
            case 0 -> C3;
            case 1 -> 0;
            default -> C3 | C2 | C0;
        });
        if (!blocked) {
            for (int i = 0; i < pops; i++) {
                pop(s);
            }
        }
    }

    /** FCOMI/FUCOMI(P): ZF, PF, CF as for unsigned compares; OF, SF, AF cleared. */
    private static void comi(final Interpreter c, final int i, final boolean quiet, final boolean popAfter) {
        final CpuState s = c.s;
        final Fp80 f = c.fp;
        s.rflags &= ~(CpuState.OF | CpuState.SF | CpuState.AF);
        if (empty(s, 0) || empty(s, i)) {
            s.rflags |= CpuState.ZF | CpuState.PF | CpuState.CF; // "unordered", even when the exception is unmasked
            if (!underflow(s) && popAfter) {
                pop(s);
            }
            return;
        }
        final int cmp = f.compare(se(s, 0), sig(s, 0), se(s, i), sig(s, i), quiet);
        final boolean blocked = raise(s, f.flags);
        s.fpuStatus &= ~C1;
        s.rflags &= ~(CpuState.ZF | CpuState.PF | CpuState.CF);
        s.rflags |= switch (cmp) {
            case -1 -> CpuState.CF;
            case 0 -> CpuState.ZF;
            case 1 -> 0L;
            default -> CpuState.ZF | CpuState.PF | CpuState.CF;
        };
        if (popAfter && !blocked) {
            pop(s);
        }
    }

    // ---- register forms ------------------------------------------------------------------------------------

    private static void register(final Interpreter c, final DecodedInsn d, final int op, final int r, final int i) {
        final CpuState s = c.s;
        switch (op) {
            case 0xD8 -> {
                if (empty(s, i)) {
                    stUnderflowArith(c, r, 0, false);
                    return;
                }
                arith(c, r, 0, se(s, i), sig(s, i), 0, false, false);
            }
            case 0xDC, 0xDE -> {
                final boolean p = op == 0xDE;
                if (r == 2 || r == 3) { // DC D0/D8 FCOM2/FCOMP3, DE D0 FCOMP5, DE D9 FCOMPP
                    if (p && r == 3 && i != 1) {
                        throw c.ud();
                    }
                    regCompare(c, i, false, p && r == 3 ? 2 : (r == 3 || p) ? 1 : 0);
                    return;
                }
                if (empty(s, 0)) {
                    stUnderflowArith(c, r, i, p);
                    return;
                }
                // ST(i) = ST(i) op ST(0); for SUB/DIV the encodings of the reversed forms are swapped (SDM)
                arith(c, r, i, se(s, 0), sig(s, 0), 0, true, p);
            }
            case 0xD9 -> d9(c, d, r, i);
            case 0xDA -> {
                if (r < 4) {
                    fcmov(c, i, r, false);
                } else if (d.modrm == 0xE9) {
                    regCompare(c, 1, true, 2); // FUCOMPP
                } else {
                    throw c.ud();
                }
            }
            case 0xDB -> {
                if (r < 4) {
                    fcmov(c, i, r, true);
                } else if (r == 5 || r == 6) {
                    comi(c, i, r == 5, false);
                } else {
                    throw c.ud();
                }
            }
            case 0xDD -> {
                switch (r) {
                    case 0 -> s.fpuTag |= 3 << (2 * phys(s, i)); // FFREE
                    case 1 -> fxch(s, i); // FXCH4
                    case 2, 3 -> fstReg(s, i, r == 3);
                    case 4, 5 -> regCompare(c, i, true, r == 5 ? 1 : 0); // FUCOM, FUCOMP
                    default -> throw c.ud();
                }
            }
            default -> { // DF
                switch (r) {
                    case 0 -> { // FFREEP
                        s.fpuTag |= 3 << (2 * phys(s, i));
                        pop(s);
                    }
                    case 1 -> fxch(s, i); // FXCH7
                    case 2, 3 -> fstReg(s, i, true); // FSTP8, FSTP9
                    case 5, 6 -> comi(c, i, r == 5, true); // FUCOMIP, FCOMIP
                    default -> throw c.ud();
                }
            }
        }
    }

    /** A D8/DC/DE register-form operation with an empty operand: masked, the destination gets the indefinite. */
    private static void stUnderflowArith(final Interpreter c, final int r, final int dst, final boolean popAfter) {
        final CpuState s = c.s;
        if (r == 2 || r == 3) {
            compareUnderflow(s, r == 3 ? 1 : 0);
            return;
        }
        if (underflow(s)) {
            return;
        }
        write(s, dst, Fp80.INDEF_SE, Fp80.INDEF_SIG);
        if (popAfter) {
            pop(s);
        }
    }

    /** A comparison with an empty operand: "unordered" even when the exception is unmasked; pops only if masked. */
    private static void compareUnderflow(final CpuState s, final int pops) {
        final boolean blocked = underflow(s);
        setCc(s, C3 | C2 | C0);
        if (!blocked) {
            for (int k = 0; k < pops; k++) {
                pop(s);
            }
        }
    }

    static void stCompareUnderflow(final CpuState s) {
        compareUnderflow(s, 0);
    }

    private static void regCompare(final Interpreter c, final int i, final boolean quiet, final int pops) {
        final CpuState s = c.s;
        if (empty(s, 0) || empty(s, i)) {
            compareUnderflow(s, pops);
            return;
        }
        compareInto(s, c.fp, se(s, 0), sig(s, 0), se(s, i), sig(s, i), 0, quiet, pops);
    }

    private static void fcmov(final Interpreter c, final int i, final int r, final boolean negate) {
        final CpuState s = c.s;
        final long fl = s.rflags;
        boolean cond = switch (r) {
            case 0 -> (fl & CpuState.CF) != 0;
            case 1 -> (fl & CpuState.ZF) != 0;
            case 2 -> (fl & (CpuState.CF | CpuState.ZF)) != 0;
            default -> (fl & CpuState.PF) != 0;
        };
        if (negate) {
            cond = !cond;
        }
        if (empty(s, 0) || empty(s, i)) {
            if (!underflow(s)) {
                write(s, 0, Fp80.INDEF_SE, Fp80.INDEF_SIG); // the masked response, whatever the condition
            }
            return;
        }
        s.fpuStatus &= ~C1;
        if (cond) {
            write(s, 0, se(s, i), sig(s, i));
        }
    }

    private static void fxch(final CpuState s, final int i) {
        int aSe = se(s, 0);
        long aSig = sig(s, 0);
        int bSe = se(s, i);
        long bSig = sig(s, i);
        if (empty(s, 0) || empty(s, i)) {
            if (underflow(s)) {
                return;
            }
            if (empty(s, 0)) {
                aSe = Fp80.INDEF_SE;
                aSig = Fp80.INDEF_SIG;
            }
            if (empty(s, i)) {
                bSe = Fp80.INDEF_SE;
                bSig = Fp80.INDEF_SIG;
            }
        } else {
            s.fpuStatus &= ~C1;
        }
        write(s, 0, bSe, bSig);
        write(s, i, aSe, aSig);
    }

    private static void fstReg(final CpuState s, final int i, final boolean popAfter) {
        if (empty(s, 0)) {
            if (underflow(s)) {
                return;
            }
            write(s, i, Fp80.INDEF_SE, Fp80.INDEF_SIG);
        } else {
            s.fpuStatus &= ~C1;
            write(s, i, se(s, 0), sig(s, 0));
        }
        if (popAfter) {
            pop(s);
        }
    }

    /** D9 register forms: FLD, FXCH, FNOP, FSTP1 and the D9 E0-FF group. */
    private static void d9(final Interpreter c, final DecodedInsn d, final int r, final int i) {
        final CpuState s = c.s;
        switch (r) {
            case 0 -> { // FLD ST(i): read before the push
                if (empty(s, i)) {
                    if (!empty(s, 7)) {
                        load(s, 0, 0, 0); // overflow wins
                    } else if (!underflow(s)) {
                        push(s, Fp80.INDEF_SE, Fp80.INDEF_SIG);
                    }
                    return;
                }
                load(s, se(s, i), sig(s, i), 0);
            }
            case 1 -> fxch(s, i);
            case 2 -> {
                if (i != 0) {
                    throw c.ud();
                }
                // FNOP
            }
            case 3 -> fstReg(s, i, true); // FSTP1
            default -> FpuMath.d9group(c, d.modrm);
        }
    }

    // ---- FpuMath support: shared with the D9 group -------------------------------------------------------------

    static boolean isEmpty(final CpuState s, final int i) {
        return empty(s, i);
    }

    static int stSe(final CpuState s, final int i) {
        return se(s, i);
    }

    static long stSig(final CpuState s, final int i) {
        return sig(s, i);
    }

    static void stWrite(final CpuState s, final int i, final int se, final long sig) {
        write(s, i, se, sig);
    }

    static void stPush(final CpuState s, final int se, final long sig) {
        push(s, se, sig);
    }

    static void stPop(final CpuState s) {
        pop(s);
    }

    static void stLoad(final CpuState s, final int se, final long sig, final int flags) {
        load(s, se, sig, flags);
    }

    static void stSetTop(final CpuState s, final int t) {
        setTop(s, t);
    }

    static boolean stUnderflow(final CpuState s) {
        return underflow(s);
    }

    static boolean stOverflow(final CpuState s) {
        return overflow(s);
    }

    static boolean stRaise(final CpuState s, final int flags) {
        return raise(s, flags);
    }

    static boolean stRaiseCompare(final CpuState s, final int flags) {
        return raiseCompare(s, flags);
    }

    static boolean stDeliver(final CpuState s, final Fp80 f, final int i) {
        return deliver(s, f, 0, i);
    }

    static void stSetCc(final CpuState s, final int cc) {
        setCc(s, cc);
    }

    // ---- control instructions -----------------------------------------------------------------------------------

    private static void control(final Interpreter c, final DecodedInsn d, final int op, final int r) {
        final CpuState s = c.s;
        if (op == 0xDB) {
            if (d.modrm == 0xE3) { // FNINIT
                s.fpuControl = 0x037F;
                s.fpuStatus = 0;
                s.fpuTag = 0xFFFF;
                s.fpuOpcode = 0;
                s.fpuIp = 0;
                s.fpuCs = 0;
                s.fpuDp = 0;
                s.fpuDs = 0;
            } else { // FNCLEX
                s.fpuStatus &= 0x7F00; // clears PE, UE, OE, ZE, DE, IE, SF, ES and B
            }
            return;
        }
        if (op == 0xDF) { // FNSTSW AX
            s.gpr[0] = (s.gpr[0] & ~0xFFFFL) | (s.fpuStatus & 0xFFFF);
            return;
        }
        if (op == 0xD9) {
            switch (r) {
                case 4 -> {
                    checkPending(c);
                    loadEnv(c, c.memLin);
                }
                case 5 -> { // FLDCW: an exception flag whose mask is cleared becomes pending
                    checkPending(c);
                    s.fpuControl = c.read16(c.memLin) & 0x1F7F | 0x40;
                    if ((s.fpuStatus & ~s.fpuControl & 0x3F) != 0) {
                        s.fpuStatus |= ES | B;
                    } else {
                        s.fpuStatus &= ~(ES | B);
                    }
                }
                case 6 -> {
                    storeEnv(c, c.memLin);
                    s.fpuControl |= 0x3F;
                }
                default -> c.write16(c.memLin, s.fpuControl);
            }
            return;
        }
        switch (r) { // DD
            case 4 -> {
                checkPending(c);
                final int len = loadEnv(c, c.memLin);
                for (int i = 0; i < 8; i++) {
                    final long a = c.truncLinear(c.memLin + len + 10L * i);
                    final long m = c.read64(a);
                    final int e = c.read16(c.truncLinear(a + 8));
                    final int p = phys(s, i);
                    s.fpSig[p] = m;
                    s.fpExp[p] = e;
                }
                s.fpuTag = tagWord(s);
            }
            case 6 -> {
                final boolean small = envSmall(c);
                c.translate(c.truncLinear(c.memLin + (small ? 93 : 107)), Interpreter.ACCESS_WRITE);
                final int len = storeEnv(c, c.memLin);
                for (int i = 0; i < 8; i++) {
                    final long a = c.truncLinear(c.memLin + len + 10L * i);
                    c.write64(a, sig(s, i));
                    c.write16(c.truncLinear(a + 8), se(s, i));
                }
                s.fpuControl = 0x037F;
                s.fpuStatus = 0;
                s.fpuTag = 0xFFFF;
                s.fpuOpcode = 0;
                s.fpuIp = 0;
                s.fpuCs = 0;
                s.fpuDp = 0;
                s.fpuDs = 0;
            }
            default -> c.write16(c.memLin, s.fpuStatus); // FNSTSW m16
        }
    }

    /** The 14-byte (16-bit operand size) environment layout, else 28 bytes. */
    private static boolean envSmall(final Interpreter c) {
        return c.d.opSize == 16;
    }

    /** FNSTENV/FNSAVE environment image (SDM Vol. 1, Figures 8-9 to 8-12); returns its length. */
    private static int storeEnv(final Interpreter c, final long base) {
        final CpuState s = c.s;
        final boolean small = envSmall(c);
        final boolean real = !c.protectedMode() || (c.s.rflags & CpuState.VM) != 0;
        final int tags = tagWord(s);
        final int w = small ? 2 : 4;
        c.translate(c.truncLinear(base + 7L * w - 1), Interpreter.ACCESS_WRITE);
        final long[] f = c.envScratch;
        f[0] = s.fpuControl | (small ? 0 : 0xFFFF0000L);
        f[1] = s.fpuStatus | (small ? 0 : 0xFFFF0000L);
        f[2] = tags | (small ? 0 : 0xFFFF0000L);
        if (real) {
            final long ip = s.fpuIp + ((long) s.fpuCs << 4);
            final long dp = s.fpuDp + ((long) s.fpuDs << 4);
            f[3] = (ip & 0xFFFF) | (small ? 0 : 0xFFFF0000L);
            f[4] = small ? ((ip >>> 16) & 0xF) << 12 | (s.fpuOpcode & 0x7FF) : ((ip >>> 16) & 0xFFFF) << 12 | (s.fpuOpcode & 0x7FF);
            f[5] = (dp & 0xFFFF) | (small ? 0 : 0xFFFF0000L);
            f[6] = small ? ((dp >>> 16) & 0xF) << 12 : ((dp >>> 16) & 0xFFFF) << 12;
        } else {
            f[3] = s.fpuIp & (small ? 0xFFFF : 0xFFFFFFFFL);
            f[4] = (s.fpuCs & 0xFFFF) | (small ? 0 : (long) (s.fpuOpcode & 0x7FF) << 16);
            f[5] = s.fpuDp & (small ? 0xFFFF : 0xFFFFFFFFL);
            f[6] = (s.fpuDs & 0xFFFF) | (small ? 0 : 0xFFFF0000L);
        }
        for (int i = 0; i < 7; i++) {
            c.write(c.truncLinear(base + (long) w * i), w * 8, f[i]);
        }
        return 7 * w;
    }

    private static int loadEnv(final Interpreter c, final long base) {
        final CpuState s = c.s;
        final boolean small = envSmall(c);
        final boolean real = !c.protectedMode() || (c.s.rflags & CpuState.VM) != 0;
        final int w = small ? 2 : 4;
        final long[] f = c.envScratch;
        for (int i = 0; i < 7; i++) {
            f[i] = c.read(c.truncLinear(base + (long) w * i), w * 8);
        }
        s.fpuControl = (int) f[0] & 0x1F7F | 0x40;
        s.fpuStatus = (int) f[1] & 0xFFFF;
        final int tags = (int) f[2] & 0xFFFF;
        if (real) {
            s.fpuIp = (f[3] & 0xFFFF) | (small ? (f[4] >>> 12 & 0xF) << 16 : (f[4] >>> 12 & 0xFFFF) << 16);
            s.fpuCs = 0;
            s.fpuOpcode = (int) f[4] & 0x7FF;
            s.fpuDp = (f[5] & 0xFFFF) | (small ? (f[6] >>> 12 & 0xF) << 16 : (f[6] >>> 12 & 0xFFFF) << 16);
            s.fpuDs = 0;
        } else {
            s.fpuIp = f[3];
            s.fpuCs = (int) f[4] & 0xFFFF;
            s.fpuOpcode = small ? s.fpuOpcode : (int) (f[4] >>> 16) & 0x7FF;
            s.fpuDp = f[5];
            s.fpuDs = (int) f[6] & 0xFFFF;
        }
        // Only "empty" is taken from the image; the other tags follow the registers' contents.
        int t = 0;
        for (int p = 0; p < 8; p++) {
            t |= (((tags >> (2 * p)) & 3) == 3 ? 3 : Fp80.tag(s.fpExp[p], s.fpSig[p])) << (2 * p);
        }
        s.fpuTag = t;
        if ((s.fpuStatus & ~s.fpuControl & 0x3F) != 0) {
            s.fpuStatus |= ES | B;
        } else {
            s.fpuStatus &= ~(ES | B);
        }
        return 7 * w;
    }

    // ---- SSE control ----------------------------------------------------------------------------------------

    /** 0F AE /2 LDMXCSR, /3 STMXCSR. */
    static void mxcsr(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        if ((s.cr4 & CpuState.CR4_OSFXSR) == 0 || (s.cr0 & CpuState.CR0_EM) != 0) {
            throw c.ud();
        }
        if ((s.cr0 & CpuState.CR0_TS) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
        if (d.mnemonic == Mnemonic.LDMXCSR) {
            final int v = c.read32(c.memLin);
            if ((v & ~MXCSR_MASK) != 0) {
                throw c.gp(0);
            }
            s.mxcsr = v;
        } else {
            c.write32(c.memLin, s.mxcsr);
        }
    }

    /**
     * FXSAVE/FXRSTOR (0F AE /0, /1; SDM Vol. 2, Table 3-43): the 512-byte image with FCW, FSW, the abridged tag,
     * FOP, FIP/FDP (64-bit with REX.W, else 32-bit offsets with selectors), MXCSR and its mask, ST0-7 in 16-byte
     * slots, and XMM0-7, or XMM0-15 in 64-bit mode. The area must be 16-byte aligned (#GP(0)); FXRSTOR raises
     * #GP(0) for reserved MXCSR bits. Without CR4.OSFXSR, MXCSR and the XMM registers are not saved or restored.
     */
    static void fxsave(final Interpreter c, final DecodedInsn d, final boolean restore) {
        final CpuState s = c.s;
        if ((s.cr0 & (CpuState.CR0_EM | CpuState.CR0_TS)) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
        final long base = c.memLin;
        if ((base & 15) != 0) {
            throw c.gp(0);
        }
        final int xmmCount = c.codeSize == 64 ? 16 : 8;
        final boolean sse = (s.cr4 & CpuState.CR4_OSFXSR) != 0;
        final boolean wide = d.mnemonic == Mnemonic.FXSAVE64 || d.mnemonic == Mnemonic.FXRSTOR64;
        if (restore) {
            final int mx = c.read32(c.truncLinear(base + 24));
            if (sse && (mx & ~MXCSR_MASK) != 0) {
                throw c.gp(0);
            }
            restoreX87Legacy(c, base, wide);
            if (sse) {
                s.mxcsr = mx;
                for (int i = 0; i < xmmCount; i++) {
                    s.xmm[2 * i] = c.read64(c.truncLinear(base + 160 + 16L * i));
                    s.xmm[2 * i + 1] = c.read64(c.truncLinear(base + 168 + 16L * i));
                }
            }
            return;
        }
        // Both ends writable before anything is written.
        c.translate(base, Interpreter.ACCESS_WRITE);
        c.translate(c.truncLinear(base + 511), Interpreter.ACCESS_WRITE);
        saveX87Legacy(c, base, wide);
        if (sse) {
            c.write32(c.truncLinear(base + 24), s.mxcsr);
        }
        c.write32(c.truncLinear(base + 28), MXCSR_MASK);
        if (sse) {
            for (int i = 0; i < xmmCount; i++) {
                c.write64(c.truncLinear(base + 160 + 16L * i), s.xmm[2 * i]);
                c.write64(c.truncLinear(base + 168 + 16L * i), s.xmm[2 * i + 1]);
            }
        }
    }

    // ---- XSAVE ----------------------------------------------------------------------------------------------

    private static void checkOsxsave(final Interpreter c) {
        if ((c.s.cr4 & CpuState.CR4_OSXSAVE) == 0) {
            throw c.ud();
        }
    }

    /** XGETBV (0F 01 D0): XCR0 for ECX = 0; other registers raise #GP(0). */
    static void xgetbv(final Interpreter c) {
        checkOsxsave(c);
        final CpuState s = c.s;
        if ((int) s.gpr[dev.dejavm.decoder.Reg.RCX] != 0) {
            throw c.gp(0);
        }
        s.gpr[dev.dejavm.decoder.Reg.RAX] = s.xcr0 & 0xFFFFFFFFL;
        s.gpr[dev.dejavm.decoder.Reg.RDX] = s.xcr0 >>> 32;
    }

    /** XSETBV (0F 01 D1): CPL 0, ECX = 0, x87 always on, only supported components (SDM "XSETBV"). */
    static void xsetbv(final Interpreter c) {
        checkOsxsave(c);
        final CpuState s = c.s;
        if (s.cpl != 0 || (s.rflags & CpuState.VM) != 0 || (int) s.gpr[dev.dejavm.decoder.Reg.RCX] != 0) {
            throw c.gp(0);
        }
        final long v = (s.gpr[dev.dejavm.decoder.Reg.RAX] & 0xFFFFFFFFL) | (s.gpr[dev.dejavm.decoder.Reg.RDX] << 32);
        if ((v & ~XCR0_SUPPORTED) != 0 || (v & 1) == 0) {
            throw c.gp(0);
        }
        s.xcr0 = v;
    }

    /**
     * XSAVE/XSAVEOPT and XRSTOR in the standard (non-compacted) format for the x87 and SSE components (SDM Vol. 1,
     * 13.4-13.8): the legacy region as FXSAVE lays it out, written or read per requested-feature bitmap
     * RFBM = XCR0 AND EDX:EAX; XSAVE sets XSTATE_BV's RFBM bits (both components are always considered in use) and
     * writes nothing else of the header; XRSTOR loads a component whose XSTATE_BV bit is set and puts it in its
     * initial state otherwise, and raises #GP(0) for a misaligned area, a compacted or reserved header, XSTATE_BV
     * bits outside XCR0, or reserved MXCSR bits.
     */
    static void xsave(final Interpreter c, final DecodedInsn d, final boolean restore) {
        checkOsxsave(c);
        final CpuState s = c.s;
        if ((s.cr0 & CpuState.CR0_TS) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
        final long base = c.memLin;
        if ((base & 63) != 0) {
            throw c.gp(0);
        }
        final long rfbm = s.xcr0 & ((s.gpr[dev.dejavm.decoder.Reg.RAX] & 0xFFFFFFFFL) | (s.gpr[dev.dejavm.decoder.Reg.RDX] << 32));
        final boolean wide = d.mnemonic == Mnemonic.XSAVE64 || d.mnemonic == Mnemonic.XRSTOR64 || d.mnemonic == Mnemonic.XSAVEOPT64;
        final int xmmCount = c.codeSize == 64 ? 16 : 8;
        if (restore) {
            final long xstateBv = c.read64(c.truncLinear(base + 512));
            final long xcompBv = c.read64(c.truncLinear(base + 520));
            if (xcompBv != 0 || (xstateBv & ~s.xcr0) != 0) {
                throw c.gp(0);
            }
            for (int i = 16; i < 64; i += 8) {
                if (c.read64(c.truncLinear(base + 512 + i)) != 0) {
                    throw c.gp(0);
                }
            }
            final int mx = c.read32(c.truncLinear(base + 24));
            if ((rfbm & 2) != 0 && (mx & ~MXCSR_MASK) != 0) {
                throw c.gp(0);
            }
            if ((rfbm & 1) != 0) {
                if ((xstateBv & 1) != 0) {
                    restoreX87Legacy(c, base, wide);
                } else {
                    s.fpuControl = 0x037F;
                    s.fpuStatus = 0;
                    s.fpuTag = 0xFFFF;
                    s.fpuOpcode = 0;
                    s.fpuIp = 0;
                    s.fpuCs = 0;
                    s.fpuDp = 0;
                    s.fpuDs = 0;
                    java.util.Arrays.fill(s.fpSig, 0);
                    java.util.Arrays.fill(s.fpExp, 0);
                }
            }
            if ((rfbm & 2) != 0) {
                s.mxcsr = mx;
                for (int i = 0; i < xmmCount; i++) {
                    final boolean load = (xstateBv & 2) != 0;
                    s.xmm[2 * i] = load ? c.read64(c.truncLinear(base + 160 + 16L * i)) : 0;
                    s.xmm[2 * i + 1] = load ? c.read64(c.truncLinear(base + 168 + 16L * i)) : 0;
                }
            }
            return;
        }
        c.translate(base, Interpreter.ACCESS_WRITE);
        c.translate(c.truncLinear(base + 575), Interpreter.ACCESS_WRITE);
        if ((rfbm & 1) != 0) {
            saveX87Legacy(c, base, wide);
        }
        if ((rfbm & 2) != 0) {
            c.write32(c.truncLinear(base + 24), s.mxcsr);
            c.write32(c.truncLinear(base + 28), MXCSR_MASK);
            for (int i = 0; i < xmmCount; i++) {
                c.write64(c.truncLinear(base + 160 + 16L * i), s.xmm[2 * i]);
                c.write64(c.truncLinear(base + 168 + 16L * i), s.xmm[2 * i + 1]);
            }
        }
        final long bv = c.read64(c.truncLinear(base + 512));
        c.write64(c.truncLinear(base + 512), (bv & ~rfbm) | rfbm);
    }

    private static void saveX87Legacy(final Interpreter c, final long base, final boolean wide) {
        final CpuState s = c.s;
        int abridged = 0;
        for (int p = 0; p < 8; p++) {
            abridged |= ((s.fpuTag >> (2 * p)) & 3) != 3 ? 1 << p : 0;
        }
        c.write16(base, s.fpuControl);
        c.write16(c.truncLinear(base + 2), s.fpuStatus);
        c.write8(c.truncLinear(base + 4), abridged);
        c.write8(c.truncLinear(base + 5), 0);
        c.write16(c.truncLinear(base + 6), s.fpuOpcode);
        if (wide) {
            c.write64(c.truncLinear(base + 8), s.fpuIp);
            c.write64(c.truncLinear(base + 16), s.fpuDp);
        } else {
            c.write32(c.truncLinear(base + 8), (int) s.fpuIp);
            c.write32(c.truncLinear(base + 12), s.fpuCs & 0xFFFF);
            c.write32(c.truncLinear(base + 16), (int) s.fpuDp);
            c.write32(c.truncLinear(base + 20), s.fpuDs & 0xFFFF);
        }
        for (int i = 0; i < 8; i++) {
            c.write64(c.truncLinear(base + 32 + 16L * i), sig(s, i));
            c.write64(c.truncLinear(base + 40 + 16L * i), se(s, i) & 0xFFFF);
        }
    }

    private static void restoreX87Legacy(final Interpreter c, final long base, final boolean wide) {
        final CpuState s = c.s;
        s.fpuControl = c.read16(base) & 0x1F7F | 0x40;
        s.fpuStatus = c.read16(c.truncLinear(base + 2));
        final int abridged = c.read8(c.truncLinear(base + 4));
        s.fpuOpcode = c.read16(c.truncLinear(base + 6)) & 0x7FF;
        if (wide) {
            s.fpuIp = c.read64(c.truncLinear(base + 8));
            s.fpuDp = c.read64(c.truncLinear(base + 16));
            s.fpuCs = 0;
            s.fpuDs = 0;
        } else {
            s.fpuIp = c.read32(c.truncLinear(base + 8)) & 0xFFFFFFFFL;
            s.fpuCs = c.read16(c.truncLinear(base + 12));
            s.fpuDp = c.read32(c.truncLinear(base + 16)) & 0xFFFFFFFFL;
            s.fpuDs = c.read16(c.truncLinear(base + 20));
        }
        final int t = top(s);
        for (int i = 0; i < 8; i++) {
            final int p = (t + i) & 7;
            s.fpSig[p] = c.read64(c.truncLinear(base + 32 + 16L * i));
            s.fpExp[p] = c.read16(c.truncLinear(base + 40 + 16L * i));
        }
        int tag = 0;
        for (int p = 0; p < 8; p++) {
            tag |= (((abridged >> p) & 1) == 0 ? 3 : Fp80.tag(s.fpExp[p], s.fpSig[p])) << (2 * p);
        }
        s.fpuTag = tag;
    }
}
