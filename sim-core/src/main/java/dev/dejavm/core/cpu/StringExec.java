package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Prefix;
import dev.dejavm.decoder.Reg;

/**
 * String instructions MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS with REP/REPE/REPNE and 16/32/64-bit address sizes.
 * The source segment may be overridden (default DS); the destination is always ES (SDM Vol. 1, 7.3.9). A REP
 * instruction retires as one instruction in the instruction count, while each iteration after the first takes
 * one more nanosecond of virtual time.
 */
final class StringExec {
    private StringExec() {
    }

    static void execute(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int as = d.addrSize;
        final long am = Interpreter.mask(as);
        // Even opcodes are the byte forms (derived here, not trusted to the decoder's operand size).
        final int size = (d.opcode & 1) == 0 ? 8 : d.opcode <= 0x6F ? Math.min(d.opSize, 32) : d.opSize;
        final int step = (s.rflags & CpuState.DF) != 0 ? -size / 8 : size / 8;
        final boolean rep = (d.prefixes & (Prefix.REP | Prefix.REPNE)) != 0;
        final int op = d.opcode;
        final boolean compare = op == 0xA6 || op == 0xA7 || op == 0xAE || op == 0xAF;
        long iterations = 0;
        while (true) {
            if (rep && (s.gpr[Reg.RCX] & am) == 0) {
                break;
            }
            final long si = s.gpr[Reg.RSI] & am;
            final long di = s.gpr[Reg.RDI] & am;
            switch (op) {
                case 0xA4, 0xA5 -> {
                    c.write(c.segLinear(CpuState.ES, di, size / 8), size, c.read(c.segLinear(d.segment, si, size / 8), size));
                    advance(c, Reg.RSI, as, step);
                    advance(c, Reg.RDI, as, step);
                }
                case 0xA6, 0xA7 -> {
                    final long a = c.read(c.segLinear(d.segment, si, size / 8), size);
                    final long b = c.read(c.segLinear(CpuState.ES, di, size / 8), size);
                    AluExec.alu(c, AluExec.CMP, a, b, size);
                    advance(c, Reg.RSI, as, step);
                    advance(c, Reg.RDI, as, step);
                }
                case 0xAA, 0xAB -> {
                    c.write(c.segLinear(CpuState.ES, di, size / 8), size, c.getReg(Reg.RAX, size));
                    advance(c, Reg.RDI, as, step);
                }
                case 0xAC, 0xAD -> {
                    c.setReg(Reg.RAX, size, c.read(c.segLinear(d.segment, si, size / 8), size));
                    advance(c, Reg.RSI, as, step);
                }
                case 0xAE, 0xAF -> {
                    final long b = c.read(c.segLinear(CpuState.ES, di, size / 8), size);
                    AluExec.alu(c, AluExec.CMP, c.getReg(Reg.RAX, size), b, size);
                    advance(c, Reg.RDI, as, step);
                }
                case 0x6C, 0x6D -> {
                    final int io = Math.min(size, 32);
                    SystemExec.checkIo(c, (int) s.gpr[Reg.RDX], io / 8);
                    c.translate(c.segLinear(CpuState.ES, di, io / 8), Interpreter.ACCESS_WRITE);
                    final long v = c.ports.read((int) (s.gpr[Reg.RDX] & 0xFFFF), io / 8) & 0xFFFFFFFFL;
                    c.write(c.segLinear(CpuState.ES, di, io / 8), io, v);
                    advance(c, Reg.RDI, as, step);
                }
                default -> { // 6E, 6F OUTS
                    final int io = Math.min(size, 32);
                    SystemExec.checkIo(c, (int) s.gpr[Reg.RDX], io / 8);
                    final long v = c.read(c.segLinear(d.segment, si, io / 8), io);
                    c.ports.write((int) (s.gpr[Reg.RDX] & 0xFFFF), io / 8, (int) v);
                    advance(c, Reg.RSI, as, step);
                }
            }
            if (!rep) {
                break;
            }
            c.setReg(Reg.RCX, as, (s.gpr[Reg.RCX] - 1) & am);
            iterations++;
            if (compare) {
                final boolean zf = (s.rflags & CpuState.ZF) != 0;
                if ((d.prefixes & Prefix.REP) != 0 ? !zf : zf) {
                    break;
                }
            }
        }
        if (iterations > 1) {
            c.timeline.advance(iterations - 1);
        }
    }

    private static void advance(final Interpreter c, final int reg, final int as, final int step) {
        c.setReg(reg, as, (c.s.gpr[reg] + step) & Interpreter.mask(as));
    }
}
