package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Prefix;

/**
 * SSE/SSE2 data arrangement in the floating-point domain (no arithmetic, no MXCSR flags): MOVLPS/MOVLPD,
 * MOVHLPS, MOVHPS/MOVHPD, MOVLHPS (loads and stores), UNPCKLPS/UNPCKHPS/UNPCKLPD/UNPCKHPD, SHUFPS/SHUFPD,
 * MOVMSKPS/MOVMSKPD, MOVNTPS/MOVNTPD, MOVNTI, and MOVQ2DQ/MOVDQ2Q between MMX and XMM registers.
 */
final class FloatArrange {
    private FloatArrange() {
    }

    private static boolean pd(final DecodedInsn d) {
        return (d.prefixes & Prefix.OPSIZE) != 0;
    }

    static void execute(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        if (d.opcode == 0xC3) { // MOVNTI m32/m64, r
            if (d.mod == 3) {
                throw c.ud();
            }
            c.write(c.memLin, d.opSize == 64 ? 64 : 32, c.getReg(d.reg, d.opSize == 64 ? 64 : 32));
            return;
        }
        SseInt.checkXmm(c);
        final int r = 2 * d.reg;
        if ((d.opcode == 0x12 || d.opcode == 0x16) && (d.prefixes & (Prefix.REP | Prefix.REPNE)) != 0) {
            duplicate(c, d, r); // SSE3: MOVSLDUP, MOVSHDUP, MOVDDUP
            return;
        }
        switch (d.opcode) {
            case 0x12, 0x16 -> { // loads into the low (12) or high (16) quadword
                final boolean high = d.opcode == 0x16;
                final long v;
                if (d.mod == 3) {
                    if (pd(d)) {
                        throw c.ud();
                    }
                    v = high ? s.xmm[2 * d.rm] : s.xmm[2 * d.rm + 1]; // MOVLHPS / MOVHLPS
                } else {
                    v = c.read64(c.memLin);
                }
                s.xmm[high ? r + 1 : r] = v;
            }
            case 0x13, 0x17 -> { // stores of the low (13) or high (17) quadword
                if (d.mod == 3) {
                    throw c.ud();
                }
                c.write64(c.memLin, s.xmm[d.opcode == 0x17 ? r + 1 : r]);
            }
            case 0x14, 0x15 -> {
                final long[] b = source(c, d);
                final long[] a = c.sseRes;
                a[0] = s.xmm[r];
                a[1] = s.xmm[r + 1];
                final boolean high = d.opcode == 0x15;
                if (pd(d)) {
                    s.xmm[r] = high ? a[1] : a[0];
                    s.xmm[r + 1] = high ? b[1] : b[0];
                } else {
                    final long x = high ? a[1] : a[0];
                    final long y = high ? b[1] : b[0];
                    s.xmm[r] = (x & 0xFFFFFFFFL) | (y << 32);
                    s.xmm[r + 1] = (x >>> 32) | (y & 0xFFFFFFFF00000000L);
                }
            }
            case 0xC6 -> {
                final long[] b = source(c, d);
                final int imm = (int) d.imm;
                final long a0 = s.xmm[r];
                final long a1 = s.xmm[r + 1];
                if (pd(d)) {
                    s.xmm[r] = (imm & 1) != 0 ? a1 : a0;
                    s.xmm[r + 1] = (imm & 2) != 0 ? b[1] : b[0];
                } else {
                    final long[] a = c.sseRes;
                    a[0] = a0;
                    a[1] = a1;
                    final long l0 = SseInt.get(a, 32, imm & 3);
                    final long l1 = SseInt.get(a, 32, (imm >> 2) & 3);
                    final long l2 = SseInt.get(b, 32, (imm >> 4) & 3);
                    final long l3 = SseInt.get(b, 32, (imm >> 6) & 3);
                    s.xmm[r] = l0 | (l1 << 32);
                    s.xmm[r + 1] = l2 | (l3 << 32);
                }
            }
            case 0x50 -> { // MOVMSKPS / MOVMSKPD r32, xmm
                if (d.mod != 3) {
                    throw c.ud();
                }
                final long lo = s.xmm[2 * d.rm];
                final long hi = s.xmm[2 * d.rm + 1];
                final long m = pd(d) ? (lo >>> 63) | (hi >>> 63) << 1
                    : (lo >>> 31 & 1) | (lo >>> 63) << 1 | (hi >>> 31 & 1) << 2 | (hi >>> 63) << 3;
                c.setReg(d.reg, d.opSize == 64 ? 64 : 32, m);
            }
            default -> { // 2B: MOVNTPS / MOVNTPD m128, xmm
                if (d.mod == 3) {
                    throw c.ud();
                }
                SseInt.storeAligned(c, s.xmm[r], s.xmm[r + 1]);
            }
        }
    }

    /** F3 0F 12 MOVSLDUP, F3 0F 16 MOVSHDUP (aligned m128), F2 0F 12 MOVDDUP (m64); F2 0F 16 is invalid. */
    private static void duplicate(final Interpreter c, final DecodedInsn d, final int r) {
        final CpuState s = c.s;
        if ((d.prefixes & Prefix.REPNE) != 0) {
            if (d.opcode != 0x12) {
                throw c.ud();
            }
            final long v = d.mod == 3 ? s.xmm[2 * d.rm] : c.read64(c.memLin);
            s.xmm[r] = v;
            s.xmm[r + 1] = v;
            return;
        }
        final long[] b = source(c, d);
        final boolean high = d.opcode == 0x16;
        final long lo = high ? b[0] >>> 32 : b[0] & 0xFFFFFFFFL;
        final long hi = high ? b[1] >>> 32 : b[1] & 0xFFFFFFFFL;
        s.xmm[r] = lo | lo << 32;
        s.xmm[r + 1] = hi | hi << 32;
    }

    /** The 128-bit source (register or 16-byte aligned memory) in c.sseSrc. */
    private static long[] source(final Interpreter c, final DecodedInsn d) {
        final long[] b = c.sseSrc;
        if (d.mod == 3) {
            b[0] = c.s.xmm[2 * d.rm];
            b[1] = c.s.xmm[2 * d.rm + 1];
        } else {
            if ((c.memLin & 15) != 0) {
                throw c.gp(0);
            }
            b[0] = c.read64(c.memLin);
            b[1] = c.read64(c.truncLinear(c.memLin + 8));
        }
        return b;
    }

    /** F3 0F D6 MOVQ2DQ xmm, mm and F2 0F D6 MOVDQ2Q mm, xmm (register forms only). */
    static void movq2dq(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        if (d.mod != 3) {
            throw c.ud();
        }
        SseInt.checkXmm(c);
        if ((s.cr0 & CpuState.CR0_EM) != 0) {
            throw c.ud();
        }
        if ((s.fpuStatus & 0x80) != 0 && (s.cr0 & CpuState.CR0_NE) != 0) {
            throw c.fault(Interpreter.VEC_MF);
        }
        s.fpuStatus &= ~0x3800;
        s.fpuTag = 0;
        if ((d.prefixes & Prefix.REP) != 0) {
            s.xmm[2 * d.reg] = s.fpSig[d.rm & 7];
            s.xmm[2 * d.reg + 1] = 0;
        } else {
            SseInt.setMm(s, d.reg, s.xmm[2 * d.rm]);
        }
    }
}
