package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.gen.Mnemonic;

/**
 * The x87 and SSE control state that firmware sets up before any floating-point arithmetic (OVMF's SEC runs FNINIT,
 * FLDCW and LDMXCSR): FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW (memory or AX), FWAIT, LDMXCSR, STMXCSR, and FXSAVE/
 * FXRSTOR of that state with the XMM registers. x87 and SSE arithmetic is not implemented and raises #UD, and CPUID
 * reports neither FPU nor SSE.
 *
 * <p>Checks (SDM Vol. 3A, 2.5 and 13.1): CR0.EM or CR0.TS make x87 instructions raise #NM (FWAIT only with TS and
 * MP); LDMXCSR/STMXCSR raise #UD without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS, and LDMXCSR #GP(0) for reserved
 * MXCSR bits.
 */
final class FpuExec {
    /** MXCSR bits that exist (flags, masks, rounding, FZ, DAZ); the others are reserved. */
    static final int MXCSR_MASK = 0xFFFF;

    private FpuExec() {
    }

    private static void checkX87(final Interpreter c) {
        if ((c.s.cr0 & (CpuState.CR0_EM | CpuState.CR0_TS)) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
    }

    static void fwait(final Interpreter c) {
        if ((c.s.cr0 & (CpuState.CR0_TS | CpuState.CR0_MP)) == (CpuState.CR0_TS | CpuState.CR0_MP)) {
            throw c.fault(Interpreter.VEC_NM);
        }
        // no unmasked x87 exception can be pending: nothing computes
    }

    /** D8-DF: the control instructions; everything else raises #UD. */
    static void x87(final Interpreter c, final DecodedInsn d) {
        final int m = d.mnemonic;
        if (m != Mnemonic.FNINIT && m != Mnemonic.FNCLEX && m != Mnemonic.FLDCW && m != Mnemonic.FNSTCW
                && m != Mnemonic.FNSTSW) {
            throw c.ud();
        }
        checkX87(c);
        final CpuState s = c.s;
        if (m == Mnemonic.FNINIT) {
            s.fpuControl = 0x037F;
            s.fpuStatus = 0;
            s.fpuTag = 0xFFFF;
        } else if (m == Mnemonic.FNCLEX) {
            s.fpuStatus &= 0x7F00; // clears PE, UE, OE, ZE, DE, IE, SF, ES and B
        } else if (m == Mnemonic.FLDCW) {
            s.fpuControl = c.read16(c.memLin) & 0x1F7F;
        } else if (m == Mnemonic.FNSTCW) {
            c.write16(c.memLin, s.fpuControl);
        } else if (d.mod == 3) {
            s.gpr[0] = (s.gpr[0] & ~0xFFFFL) | (s.fpuStatus & 0xFFFF); // FNSTSW AX
        } else {
            c.write16(c.memLin, s.fpuStatus);
        }
    }

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
     * FXSAVE/FXRSTOR (0F AE /0, /1; SDM Vol. 2, Table 3-43): the 512-byte image with FCW, FSW, the abridged tag word,
     * MXCSR and its mask, ST0-7 (zero: no x87 data registers are modelled) and XMM0-7, or XMM0-15 in 64-bit mode.
     * The area must be 16-byte aligned (#GP(0)); FXRSTOR raises #GP(0) for reserved MXCSR bits.
     */
    static void fxsave(final Interpreter c, final DecodedInsn d, final boolean restore) {
        final CpuState s = c.s;
        if ((s.cr0 & CpuState.CR0_EM) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
        if ((s.cr0 & CpuState.CR0_TS) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
        final long base = c.memLin;
        if ((base & 15) != 0) {
            throw c.gp(0);
        }
        final int xmmCount = c.codeSize == 64 ? 16 : 8;
        final boolean sse = (s.cr4 & CpuState.CR4_OSFXSR) != 0;
        if (restore) {
            final int mx = c.read32(c.truncLinear(base + 24));
            if (sse && (mx & ~MXCSR_MASK) != 0) {
                throw c.gp(0);
            }
            s.fpuControl = c.read16(base) & 0x1F7F;
            s.fpuStatus = c.read16(c.truncLinear(base + 2));
            final int abridged = c.read8(c.truncLinear(base + 4));
            int tag = 0;
            for (int i = 0; i < 8; i++) {
                tag |= ((abridged >> i) & 1) != 0 ? 0 : 3 << (2 * i); // valid registers: "zero" cannot be told apart
            }
            s.fpuTag = tag;
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
        int abridged = 0;
        for (int i = 0; i < 8; i++) {
            abridged |= ((s.fpuTag >> (2 * i)) & 3) != 3 ? 1 << i : 0;
        }
        c.write16(base, s.fpuControl);
        c.write16(c.truncLinear(base + 2), s.fpuStatus);
        c.write8(c.truncLinear(base + 4), abridged);
        c.write8(c.truncLinear(base + 5), 0);
        c.write16(c.truncLinear(base + 6), 0);   // FOP
        c.write64(c.truncLinear(base + 8), 0);   // FIP (and FCS)
        c.write64(c.truncLinear(base + 16), 0);  // FDP (and FDS)
        if (sse) {
            c.write32(c.truncLinear(base + 24), s.mxcsr);
        }
        c.write32(c.truncLinear(base + 28), MXCSR_MASK);
        for (int i = 0; i < 8; i++) {             // ST0-7: 80-bit registers in 16-byte slots
            c.write64(c.truncLinear(base + 32 + 16L * i), 0);
            c.write64(c.truncLinear(base + 40 + 16L * i), 0);
        }
        if (sse) {
            for (int i = 0; i < xmmCount; i++) {
                c.write64(c.truncLinear(base + 160 + 16L * i), s.xmm[2 * i]);
                c.write64(c.truncLinear(base + 168 + 16L * i), s.xmm[2 * i + 1]);
            }
        }
    }
}
