package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Prefix;
import dev.dejavm.decoder.Reg;

/**
 * Opcode dispatch to the family classes, split by opcode map so that each method stays small for the JIT.
 * Unimplemented encodings (x87 and SSE arithmetic, MMX, VEX, the 0F38/0F3A maps) raise #UD in the guest.
 */
final class Dispatch {
    /**
     * Opcodes (map << 8 | opcode) whose handlers work with lazy flags: they either do not touch the arithmetic
     * flags, record them lazily, or read them through {@link Interpreter#flags()}. Before any other instruction
     * the interpreter materializes the flags into {@code RFLAGS}, so the remaining handlers may use it directly.
     */
    static final boolean[] LAZY_OK = new boolean[512];

    static {
        for (int row = 0; row < 0x40; row += 8) {
            for (int k = 0; k < 6; k++) {
                LAZY_OK[row + k] = true;
            }
        }
        for (int op = 0x40; op <= 0x5F; op++) {
            LAZY_OK[op] = true; // INC/DEC r (lazy), PUSH/POP r
        }
        for (int op = 0x70; op <= 0x7F; op++) {
            LAZY_OK[op] = true;
        }
        for (int op = 0x80; op <= 0x97; op++) {
            LAZY_OK[op] = op != 0x8C && op != 0x8E && op != 0x8F; // group 1, TEST, XCHG, MOV, LEA, NOP/XCHG eAX
        }
        for (int op = 0xB0; op <= 0xBF; op++) {
            LAZY_OK[op] = true;
        }
        for (final int op : new int[] {0xA8, 0xA9, 0xC2, 0xC3, 0xC6, 0xC7, 0xE8, 0xE9, 0xEB, 0xFE, 0xFF}) {
            LAZY_OK[op] = true;
        }
        for (int op = 0x40; op <= 0x4F; op++) {
            LAZY_OK[0x100 | op] = true; // CMOVcc
        }
        for (int op = 0x80; op <= 0x9F; op++) {
            LAZY_OK[0x100 | op] = true; // Jcc, SETcc
        }
        for (final int op : new int[] {0x1F, 0xB6, 0xB7, 0xBE, 0xBF}) {
            LAZY_OK[0x100 | op] = true;
        }
    }

    private Dispatch() {
    }

    static void execute(final Interpreter c, final DecodedInsn d) {
        if (c.lfOp != Interpreter.LF_NONE && (d.map > 1 || !LAZY_OK[d.map << 8 | d.opcode])) {
            c.materializeFlags();
        }
        if ((d.prefixes & (Prefix.VEX | Prefix.EVEX)) != 0) {
            throw c.ud();
        }
        switch (d.map) {
            case 0 -> oneByte(c, d);
            case 1 -> twoByte(c, d);
            case 2 -> SseInt.map38(c, d);
            case 3 -> SseInt.map3a(c, d);
            default -> throw c.ud();
        }
    }

    private static void oneByte(final Interpreter c, final DecodedInsn d) {
        final int op = d.opcode;
        if (op < 0x40 && (op & 7) < 6) {
            AluExec.aluRow(c, d);
            return;
        }
        switch (op) {
            case 0x06, 0x0E, 0x16, 0x1E -> DataExec.pushSeg(c, d, op >> 3);
            case 0x07, 0x17, 0x1F -> DataExec.popSeg(c, d, op >> 3);
            case 0x27, 0x2F, 0x37, 0x3F, 0xD4, 0xD5 -> AluExec.bcd(c, d);
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47 -> c.setReg(op & 7, d.opSize, AluExec.inc(c, c.getReg(op & 7, d.opSize), d.opSize));
            case 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> c.setReg(op & 7, d.opSize, AluExec.dec(c, c.getReg(op & 7, d.opSize), d.opSize));
            case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57 -> DataExec.pushReg(c, d);
            case 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F -> DataExec.popReg(c, d);
            case 0x60 -> DataExec.pusha(c, d);
            case 0x61 -> DataExec.popa(c, d);
            case 0x63 -> {
                if (d.mode != 64) {
                    throw c.ud(); // ARPL: not implemented
                }
                DataExec.movExtend(c, d);
            }
            case 0x68, 0x6A -> c.push(d.opSize, d.imm & Interpreter.mask(d.opSize));
            case 0x69, 0x6B -> c.setReg(d.reg, d.opSize, AluExec.imul2(c, c.readRm(d.opSize), d.imm, d.opSize));
            case 0x6C, 0x6D, 0x6E, 0x6F, 0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF -> StringExec.execute(c, d);
            case 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F -> BranchExec.jcc(c, d);
            case 0x80, 0x81, 0x82, 0x83 -> AluExec.group1(c, d);
            case 0x84, 0x85 -> AluExec.test(c, c.readRm(d.opSize), c.getReg(d.reg, d.opSize), d.opSize);
            case 0x86, 0x87 -> DataExec.xchg(c, d);
            case 0x88, 0x89, 0x8A, 0x8B, 0xC6, 0xC7, 0xA0, 0xA1, 0xA2, 0xA3 -> DataExec.movRow(c, d);
            case 0x8C -> DataExec.movFromSeg(c, d);
            case 0x8D -> DataExec.lea(c, d);
            case 0x8E -> DataExec.movToSeg(c, d);
            case 0x8F -> DataExec.popRm(c, d);
            case 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97 -> DataExec.xchgAx(c, d);
            case 0x98, 0x99 -> DataExec.convert(c, d);
            case 0x9A -> BranchExec.callFarImm(c, d);
            case 0x9B -> FpuExec.fwait(c);
            case 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF -> FpuExec.x87(c, d);
            case 0x9C -> DataExec.pushf(c, d);
            case 0x9D -> DataExec.popf(c, d);
            case 0x9E -> DataExec.sahf(c);
            case 0x9F -> DataExec.lahf(c);
            case 0xA8, 0xA9 -> AluExec.test(c, c.getReg(Reg.RAX, d.opSize), d.imm & Interpreter.mask(d.opSize), d.opSize);
            case 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF -> DataExec.movImmReg(c, d);
            case 0xC0, 0xC1 -> AluExec.group2(c, d, (int) d.imm);
            case 0xD0, 0xD1 -> AluExec.group2(c, d, 1);
            case 0xD2, 0xD3 -> AluExec.group2(c, d, (int) c.s.gpr[Reg.RCX] & 0xFF);
            case 0xC2, 0xC3 -> BranchExec.ret(c, d);
            case 0xC4 -> DataExec.loadFarPointer(c, d, CpuState.ES);
            case 0xC5 -> DataExec.loadFarPointer(c, d, CpuState.DS);
            case 0xC8 -> DataExec.enter(c, d);
            case 0xC9 -> DataExec.leave(c, d);
            case 0xCA, 0xCB -> BranchExec.retFar(c, d);
            case 0xCC -> c.softwareInterrupt(Interpreter.VEC_BP);
            case 0xCD -> {
                if ((c.s.rflags & CpuState.VM) != 0 && ((c.s.rflags >> 12) & 3) != 3) {
                    throw c.gp(0); // INT n in virtual-8086 mode is IOPL-sensitive (no VME)
                }
                c.softwareInterrupt((int) d.imm & 0xFF);
            }
            case 0xCE -> {
                if ((c.s.rflags & CpuState.OF) != 0) {
                    c.softwareInterrupt(Interpreter.VEC_OF);
                }
            }
            case 0xCF -> BranchExec.iret(c, d);
            case 0xD7 -> DataExec.xlat(c, d);
            case 0xE0, 0xE1, 0xE2, 0xE3 -> BranchExec.loop(c, d);
            case 0xE4, 0xE5 -> SystemExec.in(c, d, (int) d.imm);
            case 0xE6, 0xE7 -> SystemExec.out(c, d, (int) d.imm);
            case 0xE8 -> BranchExec.callRel(c, d);
            case 0xE9, 0xEB -> BranchExec.jmpRel(c, d);
            case 0xEA -> BranchExec.jmpFarImm(c, d);
            case 0xEC, 0xED -> SystemExec.in(c, d, (int) c.s.gpr[Reg.RDX]);
            case 0xEE, 0xEF -> SystemExec.out(c, d, (int) c.s.gpr[Reg.RDX]);
            case 0xF1 -> c.softwareInterrupt(Interpreter.VEC_DB);
            case 0xF4 -> SystemExec.hlt(c);
            case 0xF5 -> c.s.rflags ^= CpuState.CF;
            case 0xF6, 0xF7 -> AluExec.group3(c, d);
            case 0xF8 -> c.s.rflags &= ~CpuState.CF;
            case 0xF9 -> c.s.rflags |= CpuState.CF;
            case 0xFA -> SystemExec.cli(c);
            case 0xFB -> SystemExec.sti(c);
            case 0xFC -> c.s.rflags &= ~CpuState.DF;
            case 0xFD -> c.s.rflags |= CpuState.DF;
            case 0xFE -> AluExec.incDecRm(c, 8, (d.reg & 7) != 0);
            case 0xFF -> BranchExec.group5(c, d);
            default -> throw c.ud(); // x87 (D8-DF), BOUND, ARPL, ...
        }
    }

    private static void twoByte(final Interpreter c, final DecodedInsn d) {
        final int op = d.opcode;
        switch (op) {
            case 0x00 -> SystemExec.group6(c, d);
            case 0x01 -> SystemExec.group7(c, d);
            case 0x06 -> {
                SystemExec.requireCpl0(c);
                c.s.cr0 &= ~CpuState.CR0_TS;
            }
            case 0x05 -> SystemExec.syscall(c);
            case 0x07 -> SystemExec.sysret(c, d);
            case 0x34 -> SystemExec.sysenter(c);
            case 0x35 -> SystemExec.sysexit(c, d);
            case 0x08, 0x09 -> SystemExec.requireCpl0(c); // INVD, WBINVD: no caches to flush
            case 0x0B -> throw c.ud(); // UD2
            case 0x10, 0x11, 0x28, 0x29, 0x54, 0x55, 0x56, 0x57 -> SseExec.execute(c, d);
            case 0x6E, 0x6F, 0x7E, 0x7F, 0xDB, 0xDF, 0xEB, 0xEF -> {
                if (SseExec.handles(d)) {
                    SseExec.execute(c, d); // the XMM forms
                } else {
                    SseInt.execute(c, d);  // the MMX forms
                }
            }
            case 0xD6 -> {
                if ((d.prefixes & (dev.dejavm.decoder.Prefix.REP | dev.dejavm.decoder.Prefix.REPNE)) != 0) {
                    FloatArrange.movq2dq(c, d);
                } else {
                    SseExec.execute(c, d);
                }
            }
            case 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x2B, 0x50, 0xC3, 0xC6 -> FloatArrange.execute(c, d);
            case 0x7C, 0x7D, 0xD0, 0xF0 -> SseFloat.sse3(c, d);
            case 0xB8 -> {
                if ((d.prefixes & dev.dejavm.decoder.Prefix.REP) == 0) {
                    throw c.ud(); // JMPE (IA-64) does not exist here
                }
                Sse4.popcnt(c, d);
            }
            case 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x70, 0x71, 0x72, 0x73, 0x74,
                0x75, 0x76, 0x77, 0xC4, 0xC5, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD7, 0xD8, 0xD9, 0xDA, 0xDC, 0xDD, 0xDE, 0xE0, 0xE1,
                0xE2, 0xE3, 0xE4, 0xE5, 0xE7, 0xE8, 0xE9, 0xEA, 0xEC, 0xED, 0xEE, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
                0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE -> SseInt.execute(c, d);
            case 0x2A, 0x2C, 0x2D, 0x2E, 0x2F, 0x51, 0x52, 0x53, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0xC2, 0xE6 -> {
                if (!SseFloat.handles(d.mnemonic)) {
                    throw c.ud();
                }
                SseFloat.execute(c, d);
            }
            case 0xAE -> {
                if (d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.LDMXCSR || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.STMXCSR) {
                    FpuExec.mxcsr(c, d);
                } else if (d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.FXSAVE || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.FXSAVE64
                        || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.FXRSTOR || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.FXRSTOR64) {
                    FpuExec.fxsave(c, d, d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.FXRSTOR
                            || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.FXRSTOR64);
                } else if (d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.XSAVE || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.XSAVE64
                        || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.XSAVEOPT || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.XSAVEOPT64) {
                    FpuExec.xsave(c, d, false);
                } else if (d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.XRSTOR || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.XRSTOR64) {
                    FpuExec.xsave(c, d, true);
                } else if (d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.LFENCE || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.MFENCE
                        || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.SFENCE || d.mnemonic == dev.dejavm.decoder.gen.Mnemonic.CLFLUSH) {
                    // memory ordering and cache flushes: nothing to do for one CPU without caches
                } else {
                    throw c.ud();
                }
            }
            case 0x0D, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F -> {
                // prefetch hints and NOP Ev
            }
            case 0x20 -> SystemExec.movFromCr(c, d);
            case 0x22 -> SystemExec.movToCr(c, d);
            case 0x21, 0x23 -> SystemExec.movDr(c, d);
            case 0x30 -> SystemExec.wrmsr(c);
            case 0x31 -> SystemExec.rdtsc(c, false);
            case 0x32 -> SystemExec.rdmsr(c);
            case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F -> DataExec.cmov(c, d);
            case 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F -> BranchExec.jcc(c, d);
            case 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F -> DataExec.setcc(c, d);
            case 0xA0 -> DataExec.pushSeg(c, d, CpuState.FS);
            case 0xA1 -> DataExec.popSeg(c, d, CpuState.FS);
            case 0xA8 -> DataExec.pushSeg(c, d, CpuState.GS);
            case 0xA9 -> DataExec.popSeg(c, d, CpuState.GS);
            case 0xA2 -> SystemExec.cpuid(c);
            case 0xA3 -> AluExec.bitOp(c, d, 4, c.getReg(d.reg, d.opSize), false);
            case 0xAB -> AluExec.bitOp(c, d, 5, c.getReg(d.reg, d.opSize), false);
            case 0xB3 -> AluExec.bitOp(c, d, 6, c.getReg(d.reg, d.opSize), false);
            case 0xBB -> AluExec.bitOp(c, d, 7, c.getReg(d.reg, d.opSize), false);
            case 0xBA -> AluExec.bitOp(c, d, d.reg & 7, d.imm, true);
            case 0xA4, 0xA5, 0xAC, 0xAD -> {
                final int count = (int) ((op & 1) == 0 ? d.imm : c.s.gpr[Reg.RCX]) & (d.opSize == 64 ? 0x3F : 0x1F);
                final long r = AluExec.shiftDouble(c, op < 0xA8, c.readRm(d.opSize), c.getReg(d.reg, d.opSize), count, d.opSize);
                if (count != 0 || (d.opSize == 32 && d.mod == 3)) {
                    c.writeRm(d.opSize, r); // count 0 writes nothing to memory, but a 32-bit register is zero-extended
                }
            }
            case 0xAF -> c.setReg(d.reg, d.opSize, AluExec.imul2(c, c.getReg(d.reg, d.opSize), c.readRm(d.opSize), d.opSize));
            case 0xB0, 0xB1 -> DataExec.cmpxchg(c, d);
            case 0xB2 -> DataExec.loadFarPointer(c, d, CpuState.SS);
            case 0xB4 -> DataExec.loadFarPointer(c, d, CpuState.FS);
            case 0xB5 -> DataExec.loadFarPointer(c, d, CpuState.GS);
            case 0xB6, 0xB7, 0xBE, 0xBF -> DataExec.movExtend(c, d);
            case 0xBC -> AluExec.bsf(c, d, false);
            case 0xBD -> AluExec.bsf(c, d, true);
            case 0xC0, 0xC1 -> DataExec.xadd(c, d);
            case 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF -> DataExec.bswap(c, d);
            case 0xC7 -> DataExec.group9(c, d);
            default -> throw c.ud();
        }
    }
}
