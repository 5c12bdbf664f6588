package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.gen.Mnemonic;

/**
 * The SSE/SSE2 data movement and bitwise logic that firmware compiled for x86-64 uses without doing arithmetic:
 * EDK2's SetJump/LongJump save XMM6-15 with MOVDQU, and compilers copy and clear memory with MOVDQU/MOVAPS/PXOR.
 * MOVUPS/MOVUPD/MOVAPS/MOVAPD/MOVDQA/MOVDQU (load and store), MOVSS/MOVSD (register and memory forms), MOVD/MOVQ
 * between XMM and general registers or memory, XORPS/XORPD/PXOR, ANDPS/ANDPD/PAND, ANDNPS/ANDNPD/PANDN,
 * ORPS/ORPD/POR. Floating point is in {@link SseFloat}, MMX and the packed-integer and arrangement instructions in
 * {@link SseInt} and {@link FloatArrange}: together the whole of SSE and SSE2, which CPUID reports.
 *
 * <p>Checks (SDM Vol. 3A 13.1, Vol. 2 per instruction): CR0.EM or CR4.OSFXSR clear raise #UD, CR0.TS #NM; the
 * aligned forms (MOVAPS/MOVAPD/MOVDQA) raise #GP(0) for a memory operand not on a 16-byte boundary.
 */
final class SseExec {
    private SseExec() {
    }

    /** Registers are {@code s.xmm[2n]} (bits 63:0) and {@code s.xmm[2n + 1]} (bits 127:64). */
    static boolean handles(final DecodedInsn d) {
        final int m = d.mnemonic;
        return m == Mnemonic.MOVUPS || m == Mnemonic.MOVUPD || m == Mnemonic.MOVAPS || m == Mnemonic.MOVAPD
            || m == Mnemonic.MOVDQA || m == Mnemonic.MOVDQU || m == Mnemonic.MOVSS || (m == Mnemonic.MOVSD && d.map == 1)
            || ((m == Mnemonic.MOVD || m == Mnemonic.MOVQ) && xmmForm(d))
            || m == Mnemonic.XORPS || m == Mnemonic.XORPD || m == Mnemonic.PXOR && xmmForm(d)
            || m == Mnemonic.ANDPS || m == Mnemonic.ANDPD || m == Mnemonic.PAND && xmmForm(d)
            || m == Mnemonic.ANDNPS || m == Mnemonic.ANDNPD || m == Mnemonic.PANDN && xmmForm(d)
            || m == Mnemonic.ORPS || m == Mnemonic.ORPD || m == Mnemonic.POR && xmmForm(d);
    }

    /** The XMM (not MMX) form: one of the operands is an XMM register. */
    private static boolean xmmForm(final DecodedInsn d) {
        for (int i = 0; i < d.numOperands; i++) {
            if (d.opKind[i] == dev.dejavm.decoder.OperandKind.REG && d.opReg[i] >= dev.dejavm.decoder.Reg.XMM0
                    && d.opReg[i] < dev.dejavm.decoder.Reg.XMM0 + 16) {
                return true;
            }
        }
        return false;
    }

    static void execute(final Interpreter c, final DecodedInsn d) {
        if (!handles(d)) {
            throw c.ud();
        }
        final CpuState s = c.s;
        if ((s.cr0 & CpuState.CR0_EM) != 0 || (s.cr4 & CpuState.CR4_OSFXSR) == 0) {
            throw c.ud();
        }
        if ((s.cr0 & CpuState.CR0_TS) != 0) {
            throw c.fault(Interpreter.VEC_NM);
        }
        final int m = d.mnemonic;
        final int op = d.opcode;
        if (m == Mnemonic.MOVUPS || m == Mnemonic.MOVUPD || m == Mnemonic.MOVAPS || m == Mnemonic.MOVAPD
                || m == Mnemonic.MOVDQA || m == Mnemonic.MOVDQU) {
            final boolean aligned = m == Mnemonic.MOVAPS || m == Mnemonic.MOVAPD || m == Mnemonic.MOVDQA;
            final boolean store = op == 0x11 || op == 0x29 || op == 0x7F;
            if (store) {
                storeRm128(c, d, aligned, s.xmm[2 * d.reg], s.xmm[2 * d.reg + 1]);
            } else {
                loadRm128(c, d, aligned, d.reg);
            }
        } else if (m == Mnemonic.MOVSS || m == Mnemonic.MOVSD) {
            final int bits = m == Mnemonic.MOVSS ? 32 : 64;
            final long mask = bits == 32 ? 0xFFFF_FFFFL : -1L;
            if (op == 0x10) {
                if (d.mod == 3) {
                    s.xmm[2 * d.reg] = (s.xmm[2 * d.reg] & ~mask) | (s.xmm[2 * d.rm] & mask);
                } else {
                    s.xmm[2 * d.reg] = c.read(c.memLin, bits) & mask; // a load clears the rest of the register
                    s.xmm[2 * d.reg + 1] = 0;
                }
            } else if (d.mod == 3) {
                s.xmm[2 * d.rm] = (s.xmm[2 * d.rm] & ~mask) | (s.xmm[2 * d.reg] & mask);
            } else {
                c.write(c.memLin, bits, s.xmm[2 * d.reg]);
            }
        } else if (m == Mnemonic.MOVD || m == Mnemonic.MOVQ) {
            movdq(c, d);
        } else {
            final long lo;
            final long hi;
            if (d.mod == 3) {
                lo = s.xmm[2 * d.rm];
                hi = s.xmm[2 * d.rm + 1];
            } else {
                checkAligned(c, d);
                lo = c.read64(c.memLin);
                hi = c.read64(c.truncLinear(c.memLin + 8));
            }
            final int r = 2 * d.reg;
            if (m == Mnemonic.XORPS || m == Mnemonic.XORPD || m == Mnemonic.PXOR) {
                s.xmm[r] ^= lo;
                s.xmm[r + 1] ^= hi;
            } else if (m == Mnemonic.ANDPS || m == Mnemonic.ANDPD || m == Mnemonic.PAND) {
                s.xmm[r] &= lo;
                s.xmm[r + 1] &= hi;
            } else if (m == Mnemonic.ANDNPS || m == Mnemonic.ANDNPD || m == Mnemonic.PANDN) {
                s.xmm[r] = ~s.xmm[r] & lo;
                s.xmm[r + 1] = ~s.xmm[r + 1] & hi;
            } else {
                s.xmm[r] |= lo;
                s.xmm[r + 1] |= hi;
            }
        }
    }

    /** Legacy-SSE 128-bit memory operands of the logic instructions must be 16-byte aligned (SDM 4.1.1). */
    private static void checkAligned(final Interpreter c, final DecodedInsn d) {
        if ((c.memLin & 15) != 0) {
            throw c.gp(0);
        }
    }

    private static void loadRm128(final Interpreter c, final DecodedInsn d, final boolean aligned, final int reg) {
        final CpuState s = c.s;
        if (d.mod == 3) {
            s.xmm[2 * reg] = s.xmm[2 * d.rm];
            s.xmm[2 * reg + 1] = s.xmm[2 * d.rm + 1];
            return;
        }
        if (aligned && (c.memLin & 15) != 0) {
            throw c.gp(0);
        }
        final long lo = c.read64(c.memLin);
        final long hi = c.read64(c.truncLinear(c.memLin + 8));
        s.xmm[2 * reg] = lo;
        s.xmm[2 * reg + 1] = hi;
    }

    private static void storeRm128(final Interpreter c, final DecodedInsn d, final boolean aligned, final long lo, final long hi) {
        final CpuState s = c.s;
        if (d.mod == 3) {
            s.xmm[2 * d.rm] = lo;
            s.xmm[2 * d.rm + 1] = hi;
            return;
        }
        if (aligned && (c.memLin & 15) != 0) {
            throw c.gp(0);
        }
        // Check both halves before writing either, so that a fault leaves memory unchanged.
        c.translate(c.memLin, Interpreter.ACCESS_WRITE);
        c.translate(c.truncLinear(c.memLin + 15), Interpreter.ACCESS_WRITE);
        c.write64(c.memLin, lo);
        c.write64(c.truncLinear(c.memLin + 8), hi);
    }

    /** 66 0F 6E/7E MOVD/MOVQ with a general register or memory, F3 0F 7E and 66 0F D6 MOVQ between XMM and r/m. */
    private static void movdq(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int op = d.opcode;
        final boolean q = d.mnemonic == Mnemonic.MOVQ;
        final int bits = q ? 64 : 32;
        final long mask = q ? -1L : 0xFFFF_FFFFL;
        switch (op) {
            case 0x6E -> { // xmm <- r/m32/64, zero-extended
                s.xmm[2 * d.reg] = c.readRm(bits) & mask;
                s.xmm[2 * d.reg + 1] = 0;
            }
            case 0x7E -> {
                if ((d.prefixes & dev.dejavm.decoder.Prefix.REP) != 0) { // F3 0F 7E: xmm <- xmm/m64
                    s.xmm[2 * d.reg] = d.mod == 3 ? s.xmm[2 * d.rm] : c.read64(c.memLin);
                    s.xmm[2 * d.reg + 1] = 0;
                } else { // 66 0F 7E: r/m32/64 <- xmm
                    c.writeRm(bits, s.xmm[2 * d.reg] & mask);
                }
            }
            default -> { // 66 0F D6: xmm/m64 <- xmm, a register destination has its upper half cleared
                if (d.mod == 3) {
                    s.xmm[2 * d.rm] = s.xmm[2 * d.reg];
                    s.xmm[2 * d.rm + 1] = 0;
                } else {
                    c.write64(c.memLin, s.xmm[2 * d.reg]);
                }
            }
        }
    }
}
