package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Reg;

/** Data movement: MOV forms, LEA, XCHG, MOVZX/MOVSX, PUSH/POP, CMPXCHG/XADD, flag transfers, conversions. */
final class DataExec {
    private DataExec() {
    }

    static void movRow(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        switch (d.opcode) {
            case 0x88, 0x89 -> c.writeRm(size, c.getReg(d.reg, size));
            case 0x8A, 0x8B -> c.setReg(d.reg, size, c.readRm(size));
            case 0xC6, 0xC7 -> c.writeRm(size, d.imm & Interpreter.mask(size));
            case 0xA0, 0xA1 -> c.setReg(Reg.RAX, size, c.read(c.memLin, size));
            default -> c.write(c.memLin, size, c.getReg(Reg.RAX, size)); // A2, A3
        }
    }

    static void movImmReg(final Interpreter c, final DecodedInsn d) {
        final int r = (d.opcode & 7) | ((d.rex & 1) << 3);
        c.setReg(r, d.opSize, d.imm);
    }

    static void lea(final Interpreter c, final DecodedInsn d) {
        c.setReg(d.reg, d.opSize, c.memOff);
    }

    static void xchg(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        final long a = c.readRm(size);
        final long b = c.getReg(d.reg, size);
        c.writeRm(size, b);
        c.setReg(d.reg, size, a);
    }

    static void xchgAx(final Interpreter c, final DecodedInsn d) {
        final int r = (d.opcode & 7) | ((d.rex & 1) << 3);
        if (r == 0) {
            return; // NOP (90), and PAUSE (F3 90)
        }
        final int size = d.opSize;
        final long a = c.getReg(Reg.RAX, size);
        c.setReg(Reg.RAX, size, c.getReg(r, size));
        c.setReg(r, size, a);
    }

    /** MOVZX/MOVSX (0F B6/B7/BE/BF) and MOVSXD (63 in 64-bit mode). */
    static void movExtend(final Interpreter c, final DecodedInsn d) {
        final int srcSize = d.map == 0 ? 32 : (d.opcode & 1) == 0 ? 8 : 16;
        final boolean signed = d.map == 0 || d.opcode >= 0xBE;
        long v = d.mod == 3 ? c.getReg(d.rm, srcSize) : c.read(c.memLin, srcSize);
        if (signed) {
            v = (v << (64 - srcSize)) >> (64 - srcSize);
        }
        c.setReg(d.reg, d.opSize, v & Interpreter.mask(d.opSize));
    }

    static void pushReg(final Interpreter c, final DecodedInsn d) {
        final int r = (d.opcode & 7) | ((d.rex & 1) << 3);
        c.push(d.opSize, c.getReg(r, d.opSize));
    }

    static void popReg(final Interpreter c, final DecodedInsn d) {
        final int r = (d.opcode & 7) | ((d.rex & 1) << 3);
        final long v = c.pop(d.opSize);
        c.setReg(r, d.opSize, v);
    }

    static void popRm(final Interpreter c, final DecodedInsn d) {
        final long v = c.pop(d.opSize);
        if (d.mod != 3) {
            // The address uses RSP after the pop (SDM Vol. 2 "POP").
            c.memOff = c.effectiveAddress();
            c.memLin = c.segLinear(d.segment, c.memOff, d.opSize / 8);
        }
        c.writeRm(d.opSize, v);
    }

    static void pushSeg(final Interpreter c, final DecodedInsn d, final int seg) {
        c.push(d.opSize, c.s.sel[seg]);
    }

    static void popSeg(final Interpreter c, final DecodedInsn d, final int seg) {
        final long v = c.pop(d.opSize);
        c.loadSegment(seg, (int) v & 0xFFFF);
        if (seg == CpuState.SS) {
            c.interruptShadow = 1;
        }
    }

    static void movToSeg(final Interpreter c, final DecodedInsn d) {
        final int seg = d.reg & 7;
        if (seg == CpuState.CS) {
            throw c.ud();
        }
        c.loadSegment(seg, (int) c.readRm(16));
        if (seg == CpuState.SS) {
            c.interruptShadow = 1;
        }
    }

    static void movFromSeg(final Interpreter c, final DecodedInsn d) {
        final int seg = d.reg & 7;
        if (d.mod == 3) {
            c.setReg(d.rm, d.opSize, c.s.sel[seg]);
        } else {
            c.write(c.memLin, 16, c.s.sel[seg]);
        }
    }

    /** LES/LDS/LSS/LFS/LGS: offset then selector from memory. */
    static void loadFarPointer(final Interpreter c, final DecodedInsn d, final int seg) {
        final int size = d.opSize;
        final long off = c.read(c.memLin, size);
        final int sel = c.read16(c.truncLinear(c.memLin + size / 8));
        c.loadSegment(seg, sel);
        c.setReg(d.reg, size, off);
    }

    static void cmpxchg(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        final long dst = c.readRm(size);
        final long acc = c.getReg(Reg.RAX, size);
        AluExec.alu(c, AluExec.CMP, acc, dst, size);
        if (acc == dst) {
            c.writeRm(size, c.getReg(d.reg, size));
        } else {
            if (d.mod != 3) {
                c.writeRm(size, dst); // the destination is always written (SDM)
            }
            c.setReg(Reg.RAX, size, dst);
        }
    }

    static void xadd(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        final long dst = c.readRm(size);
        final long src = c.getReg(d.reg, size);
        final long sum = AluExec.alu(c, AluExec.ADD, dst, src, size);
        c.setReg(d.reg, size, dst);
        c.writeRm(size, sum);
    }

    static void bswap(final Interpreter c, final DecodedInsn d) {
        final int r = (d.opcode & 7) | ((d.rex & 1) << 3);
        if (d.opSize == 64) {
            c.s.gpr[r] = Long.reverseBytes(c.s.gpr[r]);
        } else {
            c.setReg(r, 32, Integer.reverseBytes((int) c.s.gpr[r]) & 0xFFFFFFFFL); // 16-bit form: undefined, uses 32
        }
    }

    static void cmov(final Interpreter c, final DecodedInsn d) {
        final long v = c.readRm(d.opSize);
        if (AluExec.condition(c.flags(), d.opcode & 0xF)) {
            c.setReg(d.reg, d.opSize, v);
        } else if (d.opSize == 32) {
            c.setReg(d.reg, 32, c.getReg(d.reg, 32)); // 32-bit CMOV zero-extends even when false
        }
    }

    static void setcc(final Interpreter c, final DecodedInsn d) {
        c.writeRm(8, AluExec.condition(c.flags(), d.opcode & 0xF) ? 1 : 0);
    }

    /** CBW/CWDE/CDQE (98) and CWD/CDQ/CQO (99). */
    static void convert(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        if (d.opcode == 0x98) {
            final int half = size / 2;
            final long v = c.getReg(Reg.RAX, half);
            c.setReg(Reg.RAX, size, ((v << (64 - half)) >> (64 - half)) & Interpreter.mask(size));
        } else {
            final long v = c.getReg(Reg.RAX, size);
            c.setReg(Reg.RDX, size, (v & AluExec.sign(size)) != 0 ? Interpreter.mask(size) : 0);
        }
    }

    /** PUSHF/POPF in virtual-8086 mode need IOPL 3 (no VME): #GP(0). */
    private static void checkV86Iopl(final Interpreter c) {
        if ((c.s.rflags & CpuState.VM) != 0 && ((c.s.rflags >> 12) & 3) != 3) {
            throw c.gp(0);
        }
    }

    static void pushf(final Interpreter c, final DecodedInsn d) {
        checkV86Iopl(c);
        c.push(d.opSize, c.s.rflags & ~(CpuState.RF | CpuState.VM) & Interpreter.mask(d.opSize));
    }

    static void popf(final Interpreter c, final DecodedInsn d) {
        checkV86Iopl(c);
        final long v = c.pop(d.opSize);
        writeFlags(c, v, d.opSize);
    }

    /** Loads RFLAGS from POPF/IRET: IOPL only at CPL 0, IF only at CPL <= IOPL; VM and RF kept (SDM "POPF"). */
    static void writeFlags(final Interpreter c, final long v, final int size) {
        final CpuState s = c.s;
        long writable = CpuState.ARITH_FLAGS | CpuState.TF | CpuState.DF | CpuState.NT | CpuState.AC | CpuState.ID;
        final int iopl = (int) ((s.rflags >> 12) & 3);
        if (s.cpl == 0) {
            writable |= 0x3000;
        }
        if (s.cpl <= iopl || !c.protectedMode()) {
            writable |= CpuState.IF;
        }
        writable &= Interpreter.mask(size);
        s.rflags = (s.rflags & ~writable) | (v & writable) | 2;
    }

    static void sahf(final Interpreter c) {
        final long ah = (c.s.gpr[Reg.RAX] >> 8) & 0xFF;
        final long m = CpuState.SF | CpuState.ZF | CpuState.AF | CpuState.PF | CpuState.CF;
        c.s.rflags = (c.s.rflags & ~m) | (ah & m) | 2;
    }

    static void lahf(final Interpreter c) {
        c.s.gpr[Reg.RAX] = (c.s.gpr[Reg.RAX] & ~0xFF00L) | ((c.s.rflags & 0xD7) | 2) << 8;
    }

    static void xlat(final Interpreter c, final DecodedInsn d) {
        final long off = (c.s.gpr[Reg.RBX] + (c.s.gpr[Reg.RAX] & 0xFF)) & Interpreter.mask(d.addrSize);
        c.setReg(Reg.RAX, 8, c.read8(c.segLinear(d.segment, off, 1)));
    }

    static void enter(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        final int ss = c.stackSize();
        final int level = (int) (d.imm2 & 0x1F);
        c.push(size, c.getReg(Reg.RBP, size));
        final long frame = c.s.gpr[Reg.RSP] & Interpreter.mask(ss);
        long bp = c.s.gpr[Reg.RBP] & Interpreter.mask(ss);
        for (int i = 1; i < level; i++) {
            bp = (bp - size / 8) & Interpreter.mask(ss);
            c.push(size, c.read(c.segLinear(CpuState.SS, bp, size / 8), size));
        }
        if (level > 0) {
            c.push(size, frame);
        }
        c.setReg(Reg.RBP, size, frame);
        c.setReg(Reg.RSP, ss, (c.s.gpr[Reg.RSP] - d.imm) & Interpreter.mask(ss));
    }

    static void leave(final Interpreter c, final DecodedInsn d) {
        final int ss = c.stackSize();
        c.setReg(Reg.RSP, ss, c.s.gpr[Reg.RBP]);
        c.setReg(Reg.RBP, d.opSize, c.pop(d.opSize));
    }

    static void pusha(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        final long sp = c.getReg(Reg.RSP, size);
        for (int r = 0; r < 8; r++) {
            c.push(size, r == Reg.RSP ? sp : c.getReg(r, size));
        }
    }

    static void popa(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        for (int r = 7; r >= 0; r--) {
            final long v = c.pop(size);
            if (r != Reg.RSP) {
                c.setReg(r, size, v);
            }
        }
    }

    /**
     * 0F C7 (group 9): CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W; #GP(0) unless 16-byte aligned), RDRAND and RDSEED
     * into a register from the machine's {@link EntropySource} (always successful: CF = 1, the other arithmetic
     * flags cleared).
     */
    static void group9(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int r = d.reg & 7;
        if (d.mod == 3 && (r == 6 || r == 7)) {
            final int size = d.opSize;
            c.setReg(d.rm, size, c.entropy().next(r == 7, size) & Interpreter.mask(size));
            s.rflags = (s.rflags & ~CpuState.ARITH_FLAGS) | CpuState.CF;
            return;
        }
        if (d.mod == 3 || r != 1) {
            throw c.ud();
        }
        if (d.opSize == 64) {
            if ((c.memLin & 15) != 0) {
                throw c.gp(0);
            }
            c.translate(c.memLin, Interpreter.ACCESS_WRITE);
            c.translate(c.truncLinear(c.memLin + 15), Interpreter.ACCESS_WRITE);
            final long lo = c.read64(c.memLin);
            final long hi = c.read64(c.truncLinear(c.memLin + 8));
            if (lo == s.gpr[Reg.RAX] && hi == s.gpr[Reg.RDX]) {
                c.write64(c.memLin, s.gpr[Reg.RBX]);
                c.write64(c.truncLinear(c.memLin + 8), s.gpr[Reg.RCX]);
                s.rflags |= CpuState.ZF;
            } else {
                c.write64(c.memLin, lo); // the locked cycle writes the old value back
                c.write64(c.truncLinear(c.memLin + 8), hi);
                s.gpr[Reg.RAX] = lo;
                s.gpr[Reg.RDX] = hi;
                s.rflags &= ~CpuState.ZF;
            }
            return;
        }
        c.translate(c.memLin, Interpreter.ACCESS_WRITE);
        c.translate(c.truncLinear(c.memLin + 7), Interpreter.ACCESS_WRITE);
        final long old = c.read64(c.memLin);
        final long expected = (s.gpr[Reg.RAX] & 0xFFFFFFFFL) | (s.gpr[Reg.RDX] << 32);
        if (old == expected) {
            c.write64(c.memLin, (s.gpr[Reg.RBX] & 0xFFFFFFFFL) | (s.gpr[Reg.RCX] << 32));
            s.rflags |= CpuState.ZF;
        } else {
            c.write64(c.memLin, old);
            s.gpr[Reg.RAX] = old & 0xFFFFFFFFL;
            s.gpr[Reg.RDX] = old >>> 32;
            s.rflags &= ~CpuState.ZF;
        }
    }
}
