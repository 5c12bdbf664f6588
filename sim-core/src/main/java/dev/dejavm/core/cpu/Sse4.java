package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Prefix;
import dev.dejavm.decoder.Reg;

/**
 * SSE4.1 and the simple part of SSE4.2 (all 66-prefixed, XMM only): in 0F 38 PBLENDVB, BLENDVPS/PD (mask in
 * XMM0), PTEST, PMOVSX/PMOVZX, PMULDQ, PCMPEQQ, MOVNTDQA, PACKUSDW, PCMPGTQ, PMINS/PMAXS/PMINU/PMAXU (B/W/D),
 * PMULLD, PHMINPOSUW; in 0F 3A ROUNDPS/PD/SS/SD, BLENDPS/PD, PBLENDW, PEXTRB/W/D/Q, EXTRACTPS, PINSRB/D/Q,
 * INSERTPS, DPPS, DPPD, MPSADBW; and SSE4.2's PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (0F 3A 60-63) and CRC32
 * (F2 0F 38 F0/F1, CRC-32C).
 */
final class Sse4 {
    private Sse4() {
    }

    static boolean handles38(final DecodedInsn d) {
        final int op = d.opcode;
        return (d.prefixes & Prefix.OPSIZE) != 0 && (d.prefixes & (Prefix.REP | Prefix.REPNE)) == 0
            && (op == 0x10 || op == 0x14 || op == 0x15 || op == 0x17 || (op >= 0x20 && op <= 0x25) || (op >= 0x28 && op <= 0x2B)
                || (op >= 0x30 && op <= 0x35) || (op >= 0x37 && op <= 0x41));
    }

    static boolean handles3a(final DecodedInsn d) {
        final int op = d.opcode;
        return (d.prefixes & Prefix.OPSIZE) != 0 && (d.prefixes & (Prefix.REP | Prefix.REPNE)) == 0
            && ((op >= 0x08 && op <= 0x0E) || (op >= 0x14 && op <= 0x17) || (op >= 0x20 && op <= 0x22) || (op >= 0x40 && op <= 0x42)
                || (op >= 0x60 && op <= 0x63));
    }

    private static long[] src(final Interpreter c, final DecodedInsn d, final int bytes) {
        final long[] b = c.sseSrc;
        if (d.mod == 3) {
            b[0] = c.s.xmm[2 * d.rm];
            b[1] = c.s.xmm[2 * d.rm + 1];
        } else if (bytes == 16) {
            if ((c.memLin & 15) != 0) {
                throw c.gp(0);
            }
            b[0] = c.read64(c.memLin);
            b[1] = c.read64(c.truncLinear(c.memLin + 8));
        } else {
            b[0] = c.read(c.memLin, bytes * 8);
            b[1] = 0;
        }
        return b;
    }

    private static long sext(final long x, final int bits) {
        return (x << (64 - bits)) >> (64 - bits);
    }

    // ---- 0F 38 -------------------------------------------------------------------------------------------------

    static void map38(final Interpreter c, final DecodedInsn d) {
        SseInt.checkXmm(c);
        final CpuState s = c.s;
        final int op = d.opcode;
        final long[] a = c.sseRes;
        final long[] t = c.sseTmp;
        a[0] = s.xmm[2 * d.reg];
        a[1] = s.xmm[2 * d.reg + 1];
        if (op >= 0x20 && op <= 0x35 && (op & 0xF) <= 5 && op != 0x28 && op != 0x29 && op != 0x2A && op != 0x2B) {
            extend(c, d, (op & 0x10) == 0);
            return;
        }
        if (op == 0x2A) { // MOVNTDQA
            if (d.mod == 3) {
                throw c.ud();
            }
            final long[] b = src(c, d, 16);
            s.xmm[2 * d.reg] = b[0];
            s.xmm[2 * d.reg + 1] = b[1];
            return;
        }
        final long[] b = src(c, d, 16);
        t[0] = 0;
        t[1] = 0;
        switch (op) {
            case 0x10, 0x14, 0x15 -> { // PBLENDVB, BLENDVPS, BLENDVPD: the top bit of each XMM0 element selects the source
                final int bits = op == 0x10 ? 8 : op == 0x14 ? 32 : 64;
                final long[] mask = c.sseMask;
                mask[0] = s.xmm[0];
                mask[1] = s.xmm[1];
                for (int i = 0; i < 128 / bits; i++) {
                    final boolean pick = ((SseInt.get(mask, bits, i) >>> (bits - 1)) & 1) != 0;
                    SseInt.put(t, bits, i, SseInt.get(pick ? b : a, bits, i));
                }
            }
            case 0x17 -> { // PTEST: ZF = (a AND b) == 0, CF = (NOT a AND b) == 0; AF, OF, PF, SF cleared
                s.rflags &= ~(CpuState.OF | CpuState.SF | CpuState.AF | CpuState.ZF | CpuState.PF | CpuState.CF);
                if (((a[0] & b[0]) | (a[1] & b[1])) == 0) {
                    s.rflags |= CpuState.ZF;
                }
                if (((~a[0] & b[0]) | (~a[1] & b[1])) == 0) {
                    s.rflags |= CpuState.CF;
                }
                return;
            }
            case 0x28 -> { // PMULDQ: signed low dwords of each quadword
                t[0] = (long) (int) a[0] * (int) b[0];
                t[1] = (long) (int) a[1] * (int) b[1];
            }
            case 0x29, 0x37 -> { // PCMPEQQ, PCMPGTQ
                for (int i = 0; i < 2; i++) {
                    t[i] = (op == 0x29 ? a[i] == b[i] : a[i] > b[i]) ? -1L : 0;
                }
            }
            case 0x2B -> { // PACKUSDW
                for (int i = 0; i < 8; i++) {
                    final long x = sext(SseInt.get(i < 4 ? a : b, 32, i & 3), 32);
                    SseInt.put(t, 16, i, Math.max(0, Math.min(0xFFFF, x)));
                }
            }
            case 0x41 -> { // PHMINPOSUW: the smallest unsigned word and its index
                int best = 0;
                for (int i = 1; i < 8; i++) {
                    if (SseInt.get(b, 16, i) < SseInt.get(b, 16, best)) {
                        best = i;
                    }
                }
                t[0] = SseInt.get(b, 16, best) | (long) best << 16;
            }
            case 0x40 -> { // PMULLD
                for (int i = 0; i < 4; i++) {
                    SseInt.put(t, 32, i, SseInt.get(a, 32, i) * SseInt.get(b, 32, i));
                }
            }
            default -> { // 38-3F: PMINSB, PMINSD, PMINUW, PMINUD, PMAXSB, PMAXSD, PMAXUW, PMAXUD
                final int bits = switch (op & 3) {
                    case 0 -> 8;
                    case 1, 3 -> 32;
                    default -> 16;
                };
                final boolean signed = (op & 3) <= 1;
                final boolean max = op >= 0x3C;
                for (int i = 0; i < 128 / bits; i++) {
                    long x = SseInt.get(a, bits, i);
                    long y = SseInt.get(b, bits, i);
                    if (signed) {
                        x = sext(x, bits);
                        y = sext(y, bits);
                    }
                    SseInt.put(t, bits, i, max ? Math.max(x, y) : Math.min(x, y));
                }
            }
        }
        s.xmm[2 * d.reg] = t[0];
        s.xmm[2 * d.reg + 1] = t[1];
    }

    /** PMOVSX/PMOVZX: the low elements of the source widened (BW, BD, BQ, WD, WQ, DQ by the low opcode bits). */
    private static void extend(final Interpreter c, final DecodedInsn d, final boolean signed) {
        final CpuState s = c.s;
        final int k = d.opcode & 7;
        final int from = k <= 2 ? 8 : k <= 4 ? 16 : 32;
        final int to = switch (k) {
            case 0, 3 -> from * 2;
            case 1, 4 -> from * 4;
            default -> 64;
        };
        final int n = 128 / to;
        final long[] b = src(c, d, n * from / 8);
        final long[] t = c.sseTmp;
        t[0] = 0;
        t[1] = 0;
        for (int i = 0; i < n; i++) {
            final long x = SseInt.get(b, from, i);
            SseInt.put(t, to, i, signed ? sext(x, from) : x);
        }
        s.xmm[2 * d.reg] = t[0];
        s.xmm[2 * d.reg + 1] = t[1];
    }

    // ---- 0F 3A -------------------------------------------------------------------------------------------------

    static void map3a(final Interpreter c, final DecodedInsn d) {
        SseInt.checkXmm(c);
        final CpuState s = c.s;
        final int op = d.opcode;
        final int imm = (int) d.imm & 0xFF;
        final int r = 2 * d.reg;
        final long[] a = c.sseRes;
        a[0] = s.xmm[r];
        a[1] = s.xmm[r + 1];
        switch (op) {
            case 0x60, 0x61, 0x62, 0x63 -> stringCompare(c, d, op <= 0x61, (op & 1) != 0, imm);
            case 0x08, 0x09, 0x0A, 0x0B -> SseFloat.round(c, d, op == 0x09 || op == 0x0B, op >= 0x0A, imm);
            case 0x40, 0x41 -> SseFloat.dot(c, d, op == 0x41, imm);
            case 0x14, 0x15, 0x16, 0x17 -> { // PEXTRB, PEXTRW, PEXTRD/Q, EXTRACTPS: to r32/r64 or memory
                final int bits = op == 0x14 ? 8 : op == 0x15 ? 16 : op == 0x16 && (d.rex & 8) != 0 ? 64 : 32;
                final long v = SseInt.get(a, bits, imm & (128 / bits - 1));
                if (d.mod == 3) {
                    c.setReg(d.rm, bits == 64 ? 64 : 32, v);
                } else {
                    c.write(c.memLin, bits, v);
                }
            }
            case 0x20, 0x22 -> { // PINSRB, PINSRD/Q
                final int bits = op == 0x20 ? 8 : (d.rex & 8) != 0 ? 64 : 32;
                final long v = d.mod == 3 ? c.getReg(d.rm, bits == 64 ? 64 : 32) : c.read(c.memLin, bits);
                SseInt.put(a, bits, imm & (128 / bits - 1), v);
                s.xmm[r] = a[0];
                s.xmm[r + 1] = a[1];
            }
            case 0x21 -> { // INSERTPS
                final long[] b = c.sseSrc;
                long v;
                if (d.mod == 3) {
                    b[0] = s.xmm[2 * d.rm];
                    b[1] = s.xmm[2 * d.rm + 1];
                    v = SseInt.get(b, 32, (imm >> 6) & 3);
                } else {
                    v = c.read32(c.memLin) & 0xFFFFFFFFL;
                }
                SseInt.put(a, 32, (imm >> 4) & 3, v);
                for (int i = 0; i < 4; i++) {
                    if ((imm & (1 << i)) != 0) {
                        SseInt.put(a, 32, i, 0);
                    }
                }
                s.xmm[r] = a[0];
                s.xmm[r + 1] = a[1];
            }
            case 0x42 -> { // MPSADBW
                final long[] b = src(c, d, 16);
                final long[] t = c.sseTmp;
                final int aOff = ((imm >> 2) & 1) * 4;
                final int bOff = (imm & 3) * 4;
                t[0] = 0;
                t[1] = 0;
                for (int i = 0; i < 8; i++) {
                    long sum = 0;
                    for (int k = 0; k < 4; k++) {
                        sum += Math.abs(SseInt.get(a, 8, aOff + i + k) - SseInt.get(b, 8, bOff + k));
                    }
                    SseInt.put(t, 16, i, sum);
                }
                s.xmm[r] = t[0];
                s.xmm[r + 1] = t[1];
            }
            default -> { // 0C BLENDPS, 0D BLENDPD, 0E PBLENDW: immediate-selected elements of the source
                final long[] b = src(c, d, 16);
                final int bits = op == 0x0C ? 32 : op == 0x0D ? 64 : 16;
                for (int i = 0; i < 128 / bits; i++) {
                    if ((imm & (1 << i)) != 0) {
                        SseInt.put(a, bits, i, SseInt.get(b, bits, i));
                    }
                }
                s.xmm[r] = a[0];
                s.xmm[r + 1] = a[1];
            }
        }
    }

    /** POPCNT r, r/m (F3 0F B8): ZF for a zero source; OF, SF, AF, CF, PF cleared. */
    static void popcnt(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final long v = c.readRm(d.opSize);
        c.setReg(d.reg, d.opSize, Long.bitCount(v));
        s.rflags &= ~(CpuState.OF | CpuState.SF | CpuState.AF | CpuState.ZF | CpuState.PF | CpuState.CF);
        if (v == 0) {
            s.rflags |= CpuState.ZF;
        }
    }

    /** CRC32 r32/r64, r/m8/16/32/64: CRC-32C (polynomial 0x1EDC6F41, bit-reflected) of the source bytes. */
    static void crc32(final Interpreter c, final DecodedInsn d) {
        final int bytes = d.opcode == 0xF0 ? 1 : d.opSize / 8;
        final long v = c.readRm(bytes * 8);
        int crc = (int) c.getReg(d.reg, 32);
        for (int i = 0; i < bytes; i++) {
            crc ^= (int) (v >>> (8 * i)) & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc >>> 1) ^ (0x82F63B78 & -(crc & 1));
            }
        }
        c.setReg(d.reg, d.opSize == 64 ? 64 : 32, crc & 0xFFFFFFFFL); // a 64-bit destination is zero-extended
    }

    /**
     * PCMPESTRI/PCMPESTRM (explicit lengths in EAX/EDX) and PCMPISTRI/PCMPISTRM (null-terminated), SDM Vol. 1,
     * 12.10.3: source format, aggregation (equal any, ranges, equal each, equal ordered), polarity, and the index
     * in ECX or the mask in XMM0; CF, ZF, SF, OF from the result and lengths, AF and PF cleared.
     */
    private static void stringCompare(final Interpreter c, final DecodedInsn d, final boolean explicit, final boolean index, final int imm) {
        final CpuState s = c.s;
        final long[] a = c.sseRes; // already holds the first operand
        final long[] b = c.sseSrc;
        if (d.mod == 3) {
            b[0] = s.xmm[2 * d.rm];
            b[1] = s.xmm[2 * d.rm + 1];
        } else { // no alignment requirement
            b[0] = c.read64(c.memLin);
            b[1] = c.read64(c.truncLinear(c.memLin + 8));
        }
        final boolean words = (imm & 1) != 0;
        final boolean signed = (imm & 2) != 0;
        final int agg = (imm >> 2) & 3;
        final int pol = (imm >> 4) & 3;
        final int n = words ? 8 : 16;
        final int bits = words ? 16 : 8;
        final int la;
        final int lb;
        if (explicit) {
            final boolean wide = (d.rex & 8) != 0;
            la = length(wide ? s.gpr[Reg.RAX] : (int) s.gpr[Reg.RAX], n);
            lb = length(wide ? s.gpr[Reg.RDX] : (int) s.gpr[Reg.RDX], n);
        } else {
            la = implicitLength(a, bits, n);
            lb = implicitLength(b, bits, n);
        }
        int res1 = 0;
        for (int j = 0; j < n; j++) {
            boolean r;
            switch (agg) {
                case 0 -> { // equal any
                    r = false;
                    for (int i = 0; i < la && !r; i++) {
                        r = j < lb && get(a, bits, i, signed) == get(b, bits, j, signed);
                    }
                }
                case 1 -> { // ranges: pairs (low, high) of valid elements of the first operand
                    r = false;
                    for (int i = 0; i + 1 < la && j < lb && !r; i += 2) {
                        final long x = get(b, bits, j, signed);
                        r = x >= get(a, bits, i, signed) && x <= get(a, bits, i + 1, signed);
                    }
                }
                case 2 -> { // equal each
                    final boolean va = j < la;
                    final boolean vb = j < lb;
                    r = va && vb ? get(a, bits, j, signed) == get(b, bits, j, signed) : !va && !vb;
                }
                default -> { // equal ordered: the first operand as a substring starting at position j
                    r = true;
                    for (int i = 0; i < n - j && r; i++) {
                        if (i >= la) {
                            break; // past the end of the needle: matches
                        }
                        r = j + i < lb && get(a, bits, i, signed) == get(b, bits, j + i, signed);
                    }
                }
            }
            if (r) {
                res1 |= 1 << j;
            }
        }
        final int all = (1 << n) - 1;
        final int res2 = switch (pol) {
            case 1 -> ~res1 & all;
            case 3 -> (res1 ^ ((1 << lb) - 1)) & all;
            default -> res1;
        };
        if (index) {
            final int idx = res2 == 0 ? n : (imm & 0x40) != 0 ? 31 - Integer.numberOfLeadingZeros(res2) : Integer.numberOfTrailingZeros(res2);
            s.gpr[Reg.RCX] = idx;
        } else if ((imm & 0x40) == 0) {
            s.xmm[0] = res2 & 0xFFFFL;
            s.xmm[1] = 0;
        } else {
            final long[] t = c.sseTmp;
            t[0] = 0;
            t[1] = 0;
            for (int j = 0; j < n; j++) {
                SseInt.put(t, bits, j, (res2 & (1 << j)) != 0 ? -1L : 0);
            }
            s.xmm[0] = t[0];
            s.xmm[1] = t[1];
        }
        s.rflags &= ~(CpuState.OF | CpuState.SF | CpuState.AF | CpuState.ZF | CpuState.PF | CpuState.CF);
        s.rflags |= (res2 != 0 ? CpuState.CF : 0) | (lb < n ? CpuState.ZF : 0) | (la < n ? CpuState.SF : 0)
            | ((res2 & 1) != 0 ? CpuState.OF : 0);
    }

    private static long get(final long[] v, final int bits, final int i, final boolean signed) {
        final long x = SseInt.get(v, bits, i);
        return signed ? sext(x, bits) : x;
    }

    /** |value| saturated at n (explicit lengths; the most negative value saturates too). */
    private static int length(final long value, final int n) {
        final long m = value == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(value);
        return (int) Math.min(m, n);
    }

    private static int implicitLength(final long[] v, final int bits, final int n) {
        for (int i = 0; i < n; i++) {
            if (SseInt.get(v, bits, i) == 0) {
                return i;
            }
        }
        return n;
    }
}
