package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Reg;

import java.math.BigInteger;

/**
 * Integer arithmetic and logic with exact flags (SDM Vol. 1, 3.4.3 and Vol. 2 per instruction). Where the SDM
 * leaves a flag undefined, this model's choice is: logic ops and shifts clear AF; MUL/IMUL set SF, ZF and PF from
 * the low half of the result and clear AF; BSF/BSR, DIV/IDIV leave undefined flags unchanged; shifts/rotates by
 * more than one compute OF with the count-1 formula. Those choices are marked as undefined behaviour in tests.
 */
final class AluExec {
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;

    private AluExec() {
    }

    static long sign(final int size) {
        return 1L << (size - 1);
    }

    static boolean parity(final long v) {
        return (Integer.bitCount((int) (v & 0xFF)) & 1) == 0;
    }

    /** Sets SF, ZF, PF from {@code r} (already masked to size) and leaves the rest. */
    static long szp(long flags, final long r, final int size) {
        flags &= ~(CpuState.SF | CpuState.ZF | CpuState.PF);
        if (r == 0) {
            flags |= CpuState.ZF;
        }
        if ((r & sign(size)) != 0) {
            flags |= CpuState.SF;
        }
        if (parity(r)) {
            flags |= CpuState.PF;
        }
        return flags;
    }

    /**
     * The eight ALU operations with eager flags (used where the flags are needed at once: string compares,
     * CMPXCHG, XADD, NEG, ADC/SBB); returns the result.
     */
    static long alu(final Interpreter c, final int op, final long a, final long b, final int size) {
        final CpuState s = c.s;
        if (c.lfOp != Interpreter.LF_NONE) {
            c.materializeFlags();
        }
        final long m = Interpreter.mask(size);
        long f = s.rflags & ~CpuState.ARITH_FLAGS;
        final long r;
        switch (op) {
            case ADD, ADC -> {
                final long cin = op == ADC && (s.rflags & CpuState.CF) != 0 ? 1 : 0;
                r = (a + b + cin) & m;
                if (size == 64 ? (Long.compareUnsigned(r, a) < 0 || (cin == 1 && r == a)) : ((a + b + cin) >>> size) != 0) {
                    f |= CpuState.CF;
                }
                if (((a ^ r) & (b ^ r) & sign(size)) != 0) {
                    f |= CpuState.OF;
                }
                f |= (a ^ b ^ r) & CpuState.AF;
            }
            case SUB, SBB, CMP -> {
                final long cin = op == SBB && (s.rflags & CpuState.CF) != 0 ? 1 : 0;
                r = (a - b - cin) & m;
                if (Long.compareUnsigned(a, b) < 0 || (cin == 1 && a == b)) {
                    f |= CpuState.CF;
                }
                if (((a ^ b) & (a ^ r) & sign(size)) != 0) {
                    f |= CpuState.OF;
                }
                f |= (a ^ b ^ r) & CpuState.AF;
            }
            case OR -> r = (a | b) & m;
            case AND -> r = (a & b) & m;
            default -> r = (a ^ b) & m;
        }
        s.rflags = szp(f, r, size);
        return r;
    }

    /** Result of an ALU operation without touching the flags (ADC/SBB read CF, materializing lazy flags). */
    static long aluResult(final Interpreter c, final int op, final long a, final long b, final int size) {
        final long m = Interpreter.mask(size);
        return switch (op) {
            case ADD -> (a + b) & m;
            case ADC -> (a + b + ((c.flags() & CpuState.CF) != 0 ? 1 : 0)) & m;
            case SUB, CMP -> (a - b) & m;
            case SBB -> (a - b - ((c.flags() & CpuState.CF) != 0 ? 1 : 0)) & m;
            case OR -> (a | b) & m;
            case AND -> (a & b) & m;
            default -> (a ^ b) & m;
        };
    }

    /**
     * Records the flags of an ALU operation after its result was stored (so a faulting store leaves the flags
     * untouched): lazily for ADD/SUB/CMP and the logic ops, eagerly for ADC/SBB.
     */
    static void aluFlags(final Interpreter c, final int op, final long a, final long b, final long r, final int size) {
        switch (op) {
            case ADD -> c.setLazyFlags(Interpreter.LF_ADD, a, b, r, size);
            case SUB, CMP -> c.setLazyFlags(Interpreter.LF_SUB, a, b, r, size);
            case OR, AND, XOR -> c.setLazyFlags(Interpreter.LF_LOGIC, a, b, r, size);
            default -> alu(c, op, a, b, size);
        }
    }

    /** Flags of a lazily recorded operation (SDM Vol. 1, 3.4.3), arithmetic bits only. */
    static long lazyFlags(final int lfOp, final long a, final long b, final long r, final int size, final long oldFlags) {
        final long sb = sign(size);
        long f = 0;
        switch (lfOp) {
            case Interpreter.LF_ADD -> {
                if (size == 64 ? Long.compareUnsigned(r, a) < 0 : ((a + b) >>> size) != 0) {
                    f |= CpuState.CF;
                }
                if (((a ^ r) & (b ^ r) & sb) != 0) {
                    f |= CpuState.OF;
                }
                f |= (a ^ b ^ r) & CpuState.AF;
            }
            case Interpreter.LF_SUB -> {
                if (Long.compareUnsigned(a, b) < 0) {
                    f |= CpuState.CF;
                }
                if (((a ^ b) & (a ^ r) & sb) != 0) {
                    f |= CpuState.OF;
                }
                f |= (a ^ b ^ r) & CpuState.AF;
            }
            case Interpreter.LF_INC, Interpreter.LF_DEC -> {
                f |= oldFlags & CpuState.CF;
                if (((a ^ r) & (lfOp == Interpreter.LF_INC ? r : a) & sb) != 0) {
                    f |= CpuState.OF;
                }
                f |= (a ^ r ^ 1) & CpuState.AF;
            }
            default -> {
                // logic: CF = OF = 0, AF cleared (undefined in the SDM)
            }
        }
        return szp(f, r, size);
    }

    /** ALU op with Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,ib / eAX,iz forms (opcode low 3 bits 0..5). */
    static void aluRow(final Interpreter c, final DecodedInsn d) {
        final int op = (d.opcode >> 3) & 7;
        final int size = d.opSize;
        final long a;
        final long b;
        final long r;
        switch (d.opcode & 7) {
            case 0, 1 -> {
                a = c.readRm(size);
                b = c.getReg(d.reg, size);
                r = aluResult(c, op, a, b, size);
                if (op != CMP) {
                    c.writeRm(size, r);
                }
            }
            case 2, 3 -> {
                a = c.getReg(d.reg, size);
                b = c.readRm(size);
                r = aluResult(c, op, a, b, size);
                if (op != CMP) {
                    c.setReg(d.reg, size, r);
                }
            }
            default -> {
                a = c.getReg(Reg.RAX, size);
                b = d.imm & Interpreter.mask(size);
                r = aluResult(c, op, a, b, size);
                if (op != CMP) {
                    c.setReg(Reg.RAX, size, r);
                }
            }
        }
        aluFlags(c, op, a, b, r, size);
    }

    /** Group 1 (80-83): op Eb/Ev, imm. */
    static void group1(final Interpreter c, final DecodedInsn d) {
        final int op = d.reg & 7;
        final int size = d.opSize;
        final long a = c.readRm(size);
        final long b = d.imm & Interpreter.mask(size);
        final long r = aluResult(c, op, a, b, size);
        if (op != CMP) {
            c.writeRm(size, r);
        }
        aluFlags(c, op, a, b, r, size);
    }

    static void test(final Interpreter c, final long a, final long b, final int size) {
        c.setLazyFlags(Interpreter.LF_LOGIC, a, b, a & b & Interpreter.mask(size), size);
    }

    /** INC: flags as ADD 1 except CF, which is preserved; recorded lazily. The caller stores the result. */
    static long inc(final Interpreter c, final long a, final int size) {
        c.flags(); // CF of the previous operation must be kept
        final long r = (a + 1) & Interpreter.mask(size);
        c.setLazyFlags(Interpreter.LF_INC, a, 1, r, size);
        return r;
    }

    /** INC/DEC r/m: the flags are recorded after the store, so a faulting store leaves them untouched. */
    static void incDecRm(final Interpreter c, final int size, final boolean decrement) {
        final long a = c.readRm(size);
        c.flags();
        final long r = (decrement ? a - 1 : a + 1) & Interpreter.mask(size);
        c.writeRm(size, r);
        c.setLazyFlags(decrement ? Interpreter.LF_DEC : Interpreter.LF_INC, a, 1, r, size);
    }

    static long dec(final Interpreter c, final long a, final int size) {
        c.flags();
        final long r = (a - 1) & Interpreter.mask(size);
        c.setLazyFlags(Interpreter.LF_DEC, a, 1, r, size);
        return r;
    }

    /** Group 3 (F6/F7): test, not, neg, mul, imul, div, idiv. */
    static void group3(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        final long m = Interpreter.mask(size);
        final CpuState s = c.s;
        switch (d.reg & 7) {
            case 0, 1 -> test(c, c.readRm(size), d.imm & m, size);
            case 2 -> c.writeRm(size, ~c.readRm(size) & m);
            case 3 -> {
                final long v = c.readRm(size);
                final long r = alu(c, SUB, 0, v, size);
                c.writeRm(size, r);
            }
            case 4 -> mul(c, c.readRm(size), size, false);
            case 5 -> mul(c, c.readRm(size), size, true);
            case 6 -> div(c, c.readRm(size), size, false);
            default -> div(c, c.readRm(size), size, true);
        }
    }

    private static long signExtend(final long v, final int size) {
        return size == 64 ? v : (v << (64 - size)) >> (64 - size);
    }

    static void mul(final Interpreter c, final long src, final int size, final boolean signed) {
        final CpuState s = c.s;
        final long m = Interpreter.mask(size);
        long lo;
        long hi;
        if (size == 64) {
            final long a = s.gpr[Reg.RAX];
            lo = a * src;
            hi = signed ? Math.multiplyHigh(a, src) : Math.unsignedMultiplyHigh(a, src);
        } else {
            final long a = c.getReg(Reg.RAX, size);
            final long full = signed ? signExtend(a, size) * signExtend(src, size) : a * src;
            lo = full & m;
            hi = (full >> size) & m;
        }
        final boolean overflow = signed ? hi != ((lo & sign(size)) != 0 ? m : 0) : hi != 0;
        if (size == 8) {
            c.setReg(Reg.RAX, 16, (hi << 8) | lo);
        } else {
            c.setReg(Reg.RAX, size, lo);
            c.setReg(Reg.RDX, size, hi);
        }
        long f = s.rflags & ~(CpuState.CF | CpuState.OF | CpuState.AF);
        if (overflow) {
            f |= CpuState.CF | CpuState.OF;
        }
        s.rflags = szp(f, lo, size);
    }

    /** IMUL Gv, Ev[, imm]: truncated product; CF = OF = the product does not fit. */
    static long imul2(final Interpreter c, final long a, final long b, final int size) {
        final CpuState s = c.s;
        final long m = Interpreter.mask(size);
        final long lo;
        final boolean overflow;
        if (size == 64) {
            lo = a * b;
            final long hi = Math.multiplyHigh(a, b);
            overflow = hi != (lo >> 63);
        } else {
            final long full = signExtend(a & m, size) * signExtend(b & m, size);
            lo = full & m;
            overflow = full != signExtend(lo, size);
        }
        long f = s.rflags & ~(CpuState.CF | CpuState.OF | CpuState.AF);
        if (overflow) {
            f |= CpuState.CF | CpuState.OF;
        }
        s.rflags = szp(f, lo, size);
        return lo;
    }

    static void div(final Interpreter c, final long divisor, final int size, final boolean signed) {
        final CpuState s = c.s;
        final long m = Interpreter.mask(size);
        if ((divisor & m) == 0) {
            throw c.fault.set(Interpreter.VEC_DE, 0, false);
        }
        if (size == 64) {
            final BigInteger dividend = signed
                    ? BigInteger.valueOf(s.gpr[Reg.RDX]).shiftLeft(64).or(unsigned(s.gpr[Reg.RAX]))
                    : unsigned(s.gpr[Reg.RDX]).shiftLeft(64).or(unsigned(s.gpr[Reg.RAX]));
            final BigInteger dv = signed ? BigInteger.valueOf(divisor) : unsigned(divisor);
            final BigInteger[] qr = dividend.divideAndRemainder(dv);
            if (signed ? qr[0].bitLength() > 63 : qr[0].bitLength() > 64) {
                throw c.fault.set(Interpreter.VEC_DE, 0, false);
            }
            s.gpr[Reg.RAX] = qr[0].longValue();
            s.gpr[Reg.RDX] = qr[1].longValue();
            return;
        }
        final long dividend;
        if (size == 8) {
            dividend = signed ? (short) c.getReg(Reg.RAX, 16) : c.getReg(Reg.RAX, 16);
        } else {
            final long hi = c.getReg(Reg.RDX, size);
            final long lo = c.getReg(Reg.RAX, size);
            final long u = (hi << size) | lo; // fits: size <= 32
            dividend = signed ? signExtend(u, 2 * size) : u;
        }
        final long q;
        final long r;
        if (signed) {
            final long dv = signExtend(divisor & m, size);
            q = dividend / dv;
            r = dividend % dv;
            if (q != signExtend(q & m, size)) {
                throw c.fault.set(Interpreter.VEC_DE, 0, false);
            }
        } else {
            q = Long.divideUnsigned(dividend, divisor & m);
            r = Long.remainderUnsigned(dividend, divisor & m);
            if ((q & ~m) != 0) {
                throw c.fault.set(Interpreter.VEC_DE, 0, false);
            }
        }
        if (size == 8) {
            c.setReg(Reg.RAX, 16, ((r & 0xFF) << 8) | (q & 0xFF));
        } else {
            c.setReg(Reg.RAX, size, q & m);
            c.setReg(Reg.RDX, size, r & m);
        }
    }

    private static BigInteger unsigned(final long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    /** Shift/rotate group 2 (C0/C1/D0-D3): op = ModRM.reg. */
    static void group2(final Interpreter c, final DecodedInsn d, final int rawCount) {
        final int size = d.opSize;
        final int count = rawCount & (size == 64 ? 0x3F : 0x1F);
        if (count == 0) {
            if (size == 32 && d.mod == 3) {
                c.setReg(d.rm, 32, c.getReg(d.rm, 32)); // a 32-bit register write zero-extends even for count 0
            }
            return;
        }
        final long v = c.readRm(size);
        c.writeRm(size, shift(c, d.reg & 7, v, count, size));
    }

    static long shift(final Interpreter c, final int op, final long v, final int count, final int size) {
        final CpuState s = c.s;
        final long m = Interpreter.mask(size);
        final long sb = sign(size);
        long f = s.rflags;
        long r;
        switch (op) {
            case 0 -> { // ROL
                final int n = count % size;
                r = n == 0 ? v : ((v << n) | (v >>> (size - n))) & m;
                f &= ~(CpuState.CF | CpuState.OF);
                if ((r & 1) != 0) {
                    f |= CpuState.CF;
                }
                if ((((r & sb) != 0) ^ ((r & 1) != 0))) {
                    f |= CpuState.OF;
                }
                s.rflags = f;
                return r;
            }
            case 1 -> { // ROR
                final int n = count % size;
                r = n == 0 ? v : ((v >>> n) | (v << (size - n))) & m;
                f &= ~(CpuState.CF | CpuState.OF);
                if ((r & sb) != 0) {
                    f |= CpuState.CF;
                }
                if (((r & sb) != 0) ^ ((r & (sb >>> 1)) != 0)) {
                    f |= CpuState.OF;
                }
                s.rflags = f;
                return r;
            }
            case 2, 3 -> { // RCL, RCR through CF: rotate a (size+1)-bit value
                final int n = count % (size + 1);
                long cf = (f & CpuState.CF) != 0 ? 1 : 0;
                r = v;
                for (int i = 0; i < n; i++) {
                    if (op == 2) {
                        final long out = (r & sb) != 0 ? 1 : 0;
                        r = ((r << 1) | cf) & m;
                        cf = out;
                    } else {
                        final long out = r & 1;
                        r = (r >>> 1) | (cf != 0 ? sb : 0);
                        cf = out;
                    }
                }
                f &= ~(CpuState.CF | CpuState.OF);
                if (cf != 0) {
                    f |= CpuState.CF;
                }
                final boolean of = op == 2 ? ((r & sb) != 0) ^ (cf != 0) : ((r & sb) != 0) ^ ((r & (sb >>> 1)) != 0);
                if (of) {
                    f |= CpuState.OF;
                }
                s.rflags = f;
                return r;
            }
            case 4, 6 -> { // SHL/SAL
                r = count >= 64 ? 0 : (v << count) & m;
                final boolean cf = count <= size && ((v >>> (size - count)) & 1) != 0;
                f &= ~(CpuState.CF | CpuState.OF | CpuState.AF);
                if (cf) {
                    f |= CpuState.CF;
                }
                if (((r & sb) != 0) ^ cf) {
                    f |= CpuState.OF;
                }
                s.rflags = szp(f, r, size);
                return r;
            }
            case 5 -> { // SHR
                r = count >= 64 ? 0 : v >>> count;
                final boolean cf = ((v >>> (count - 1)) & 1) != 0;
                f &= ~(CpuState.CF | CpuState.OF | CpuState.AF);
                if (cf) {
                    f |= CpuState.CF;
                }
                if ((v & sb) != 0 && count == 1) {
                    f |= CpuState.OF;
                }
                s.rflags = szp(f, r, size);
                return r;
            }
            default -> { // SAR
                final long sv = signExtend(v, size);
                r = (sv >> Math.min(count, 63)) & m;
                final boolean cf = ((sv >> Math.min(count - 1, 63)) & 1) != 0;
                f &= ~(CpuState.CF | CpuState.OF | CpuState.AF);
                if (cf) {
                    f |= CpuState.CF;
                }
                s.rflags = szp(f, r, size);
                return r;
            }
        }
    }

    /** SHLD/SHRD: count already masked to 0..31/63; count 0 changes nothing. */
    static long shiftDouble(final Interpreter c, final boolean left, final long dst, final long src, final int count, final int size) {
        final CpuState s = c.s;
        final long m = Interpreter.mask(size);
        if (count == 0) {
            return dst;
        }
        final long r;
        final boolean cf;
        if (count > size) {
            return dst; // undefined for 16-bit operands with count > 16: leave the destination (documented)
        }
        if (left) {
            r = count == size ? src & m : ((dst << count) | ((src & m) >>> (size - count))) & m;
            cf = ((dst >>> (size - count)) & 1) != 0;
        } else {
            r = count == size ? src & m : ((dst >>> count) | (src << (size - count))) & m;
            cf = ((dst >>> (count - 1)) & 1) != 0;
        }
        long f = s.rflags & ~(CpuState.CF | CpuState.OF | CpuState.AF);
        if (cf) {
            f |= CpuState.CF;
        }
        if (((r ^ dst) & sign(size)) != 0) {
            f |= CpuState.OF;
        }
        s.rflags = szp(f, r, size);
        return r;
    }

    /** BT/BTS/BTR/BTC: op 4 = BT, 5 = BTS, 6 = BTR, 7 = BTC. */
    static void bitOp(final Interpreter c, final DecodedInsn d, final int op, final long bitOffset, final boolean immediate) {
        final int size = d.opSize;
        final CpuState s = c.s;
        long lin = c.memLin;
        int bit;
        if (d.mod == 3 || immediate) {
            bit = (int) (bitOffset & (size - 1));
        } else {
            // Register bit offset addresses memory beyond the operand (signed, SDM Vol. 2 "BT").
            final long so = size == 64 ? bitOffset : size == 32 ? (int) bitOffset : (short) bitOffset;
            lin = c.truncLinear(lin + (so >> (size == 64 ? 6 : size == 32 ? 5 : 4)) * (size / 8));
            bit = (int) (so & (size - 1));
        }
        final long v = d.mod == 3 ? c.getReg(d.rm, size) : c.read(lin, size);
        final boolean set = ((v >>> bit) & 1) != 0;
        s.rflags = set ? s.rflags | CpuState.CF : s.rflags & ~CpuState.CF;
        final long r = switch (op) {
            case 5 -> v | (1L << bit);
            case 6 -> v & ~(1L << bit);
            case 7 -> v ^ (1L << bit);
            default -> v;
        };
        if (op != 4) {
            if (d.mod == 3) {
                c.setReg(d.rm, size, r);
            } else {
                c.write(lin, size, r);
            }
        }
    }

    static void bsf(final Interpreter c, final DecodedInsn d, final boolean reverse) {
        final int size = d.opSize;
        final long v = c.readRm(size);
        if (v == 0) {
            c.s.rflags |= CpuState.ZF;
            return;
        }
        c.s.rflags &= ~CpuState.ZF;
        c.setReg(d.reg, size, reverse ? 63 - Long.numberOfLeadingZeros(v) : Long.numberOfTrailingZeros(v));
    }

    /** DAA/DAS/AAA/AAS/AAM/AAD (legacy BCD; #UD in 64-bit mode by decoding). */
    static void bcd(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int al = (int) (s.gpr[Reg.RAX] & 0xFF);
        final boolean cf = (s.rflags & CpuState.CF) != 0;
        final boolean af = (s.rflags & CpuState.AF) != 0;
        switch (d.opcode) {
            case 0x27, 0x2F -> { // DAA, DAS
                final boolean sub = d.opcode == 0x2F;
                int r = al;
                boolean ncf = false;
                boolean naf = false;
                if ((al & 0x0F) > 9 || af) {
                    r = sub ? r - 6 : r + 6;
                    naf = true;
                    ncf = cf || (sub ? al < 6 : r > 0xFF);
                }
                if (al > 0x99 || cf) {
                    r = sub ? r - 0x60 : r + 0x60;
                    ncf = true;
                }
                r &= 0xFF;
                c.setReg(Reg.RAX, 8, r);
                long f = s.rflags & ~(CpuState.CF | CpuState.AF | CpuState.OF);
                f |= (ncf ? CpuState.CF : 0) | (naf ? CpuState.AF : 0);
                s.rflags = szp(f, r, 8);
            }
            case 0x37, 0x3F -> { // AAA, AAS
                long ax = c.getReg(Reg.RAX, 16);
                long f = s.rflags & ~(CpuState.CF | CpuState.AF);
                if ((al & 0x0F) > 9 || af) {
                    if (d.opcode == 0x37) {
                        ax = (ax + 0x106) & 0xFFFF;
                    } else {
                        ax = ((ax - 6) & 0xFF) | ((((ax >> 8) - 1) & 0xFF) << 8);
                    }
                    f |= CpuState.CF | CpuState.AF;
                }
                c.setReg(Reg.RAX, 16, ax & 0xFF0F);
                s.rflags = f;
            }
            case 0xD4 -> { // AAM
                final int base = (int) (d.imm & 0xFF);
                if (base == 0) {
                    throw c.fault.set(Interpreter.VEC_DE, 0, false);
                }
                final int r = al % base;
                c.setReg(Reg.RAX, 16, ((long) (al / base) << 8) | r);
                s.rflags = szp(s.rflags & ~(CpuState.CF | CpuState.OF | CpuState.AF), r, 8);
            }
            default -> { // D5 AAD
                final int ah = (int) ((s.gpr[Reg.RAX] >> 8) & 0xFF);
                final int r = (al + ah * (int) (d.imm & 0xFF)) & 0xFF;
                c.setReg(Reg.RAX, 16, r);
                s.rflags = szp(s.rflags & ~(CpuState.CF | CpuState.OF | CpuState.AF), r, 8);
            }
        }
    }

    /** Condition codes 0..15 (Jcc/SETcc/CMOVcc low nibble). */
    static boolean condition(final long f, final int cc) {
        final boolean r = switch (cc >> 1) {
            case 0 -> (f & CpuState.OF) != 0;
            case 1 -> (f & CpuState.CF) != 0;
            case 2 -> (f & CpuState.ZF) != 0;
            case 3 -> (f & (CpuState.CF | CpuState.ZF)) != 0;
            case 4 -> (f & CpuState.SF) != 0;
            case 5 -> (f & CpuState.PF) != 0;
            case 6 -> ((f & CpuState.SF) != 0) != ((f & CpuState.OF) != 0);
            default -> (f & CpuState.ZF) != 0 || (((f & CpuState.SF) != 0) != ((f & CpuState.OF) != 0));
        };
        return (cc & 1) != 0 ? !r : r;
    }
}
