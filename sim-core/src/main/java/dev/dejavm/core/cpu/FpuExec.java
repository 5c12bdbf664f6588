package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.gen.Mnemonic;

/**
 * The x87 and SSE control state that firmware sets up before any floating-point arithmetic (OVMF's SEC runs FNINIT,
 * FLDCW and LDMXCSR): FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW (memory or AX), FWAIT, LDMXCSR, STMXCSR. x87 and SSE
 * arithmetic is not implemented and raises #UD, and CPUID reports neither FPU nor SSE.
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
}
