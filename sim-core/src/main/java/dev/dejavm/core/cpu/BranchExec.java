package dev.dejavm.core.cpu;

import dev.dejavm.decoder.DecodedInsn;
import dev.dejavm.decoder.Reg;

/** Control transfer: Jcc, JMP, CALL, RET (near and far), LOOP/JCXZ, INT/IRET. */
final class BranchExec {
    private BranchExec() {
    }

    /** New rIP truncated to the operand size (16-bit jumps wrap IP; SDM "JMP"). */
    static long target(final Interpreter c, final long t, final int size) {
        return size == 64 ? t : t & Interpreter.mask(size);
    }

    static void jcc(final Interpreter c, final DecodedInsn d) {
        if (AluExec.condition(c.flags(), d.opcode & 0xF)) {
            c.s.rip = target(c, c.nextRip + d.imm, d.opSize);
        }
    }

    static void jmpRel(final Interpreter c, final DecodedInsn d) {
        c.s.rip = target(c, c.nextRip + d.imm, d.opSize);
    }

    static void callRel(final Interpreter c, final DecodedInsn d) {
        c.push(d.opSize, c.nextRip);
        c.s.rip = target(c, c.nextRip + d.imm, d.opSize);
    }

    static void ret(final Interpreter c, final DecodedInsn d) {
        final long t = c.pop(d.opSize);
        if (d.opcode == 0xC2) {
            final int ss = c.stackSize();
            c.setReg(Reg.RSP, ss, c.s.gpr[Reg.RSP] + d.imm);
        }
        c.s.rip = target(c, t, d.opSize);
    }

    static void loop(final Interpreter c, final DecodedInsn d) {
        final int as = d.addrSize;
        long cx = c.getReg(Reg.RCX, as);
        final boolean jump;
        if (d.opcode == 0xE3) {
            jump = cx == 0;
        } else {
            cx = (cx - 1) & Interpreter.mask(as);
            c.setReg(Reg.RCX, as, cx);
            final boolean zf = (c.s.rflags & CpuState.ZF) != 0;
            jump = cx != 0 && (d.opcode == 0xE2 || (d.opcode == 0xE1 ? zf : !zf));
        }
        if (jump) {
            c.s.rip = target(c, c.nextRip + d.imm, d.opSize);
        }
    }

    /** JMP ptr16:16/32 (EA). */
    static void jmpFarImm(final Interpreter c, final DecodedInsn d) {
        if (GateExec.isSystemTarget(c, (int) d.imm2)) {
            GateExec.farGate(c, (int) d.imm2, false, 0);
            return;
        }
        c.loadCodeSegment((int) d.imm2, d.imm);
    }

    /** CALL ptr16:16/32 (9A). */
    static void callFarImm(final Interpreter c, final DecodedInsn d) {
        final int oldCs = c.s.sel[CpuState.CS];
        final long ret = c.nextRip;
        final CpuState s = c.s;
        if (GateExec.isSystemTarget(c, (int) d.imm2)) {
            GateExec.farGate(c, (int) d.imm2, true, ret);
            return;
        }
        final long sp = s.gpr[Reg.RSP];
        try {
            c.push(d.opSize, oldCs);
            c.push(d.opSize, ret);
            c.loadCodeSegment((int) d.imm2, d.imm);
        } catch (final CpuException e) {
            s.gpr[Reg.RSP] = sp;
            throw e;
        }
    }

    /** Group 5 (FF): inc, dec, call near, call far, jmp near, jmp far, push. */
    static void group5(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        switch (d.reg & 7) {
            case 0 -> AluExec.incDecRm(c, size, false);
            case 1 -> AluExec.incDecRm(c, size, true);
            case 2 -> {
                final long t = c.readRm(size);
                c.push(size, c.nextRip);
                c.s.rip = target(c, t, size);
            }
            case 4 -> c.s.rip = target(c, c.readRm(size), size);
            case 3, 5 -> {
                final int osz = size == 64 ? 64 : size; // m16:16, m16:32, m16:64 (REX.W)
                final long off = c.read(c.memLin, osz);
                final int sel = c.read16(c.truncLinear(c.memLin + osz / 8));
                if (GateExec.isSystemTarget(c, sel)) {
                    GateExec.farGate(c, sel, (d.reg & 7) == 3, c.nextRip);
                } else if ((d.reg & 7) == 3) {
                    final long sp = c.s.gpr[Reg.RSP];
                    try {
                        c.push(osz, c.s.sel[CpuState.CS]);
                        c.push(osz, c.nextRip);
                        c.loadCodeSegment(sel, off);
                    } catch (final CpuException e) {
                        c.s.gpr[Reg.RSP] = sp;
                        throw e;
                    }
                } else {
                    c.loadCodeSegment(sel, off);
                }
            }
            default -> c.push(size, c.readRm(size)); // 6: push
        }
    }

    /** RETF (CB) / RETF imm16 (CA), same privilege. */
    static void retFar(final Interpreter c, final DecodedInsn d) {
        final int size = d.opSize;
        final long off = c.pop(size);
        final int sel = (int) c.pop(size) & 0xFFFF;
        if (c.protectedMode() && (c.s.rflags & CpuState.VM) == 0 && (sel & 3) > c.s.cpl) {
            GateExec.outerReturn(c, sel, off, size, d.opcode == 0xCA ? d.imm & 0xFFFF : 0);
            return;
        }
        if (c.protectedMode() && (c.s.rflags & CpuState.VM) == 0 && (sel & 3) < c.s.cpl) {
            throw c.gp(sel & 0xFFFC); // a return may not raise the privilege level
        }
        c.loadCodeSegment(sel, off);
        if (d.opcode == 0xCA) {
            final int ss = c.stackSize();
            c.setReg(Reg.RSP, ss, c.s.gpr[Reg.RSP] + d.imm);
        }
    }

    /**
     * IRET from CPL 0 with VM set in the popped EFLAGS (SDM "IRET", RETURN-TO-VIRTUAL-8086-MODE): ESP, SS, ES, DS,
     * FS and GS follow on the stack; every segment register is loaded the real-mode way and CPL becomes 3.
     */
    private static void returnToV86(final Interpreter c, final long ip, final int cs, final long flags) {
        final CpuState s = c.s;
        final long esp = c.pop(32);
        final int ss = (int) c.pop(32) & 0xFFFF;
        final int es = (int) c.pop(32) & 0xFFFF;
        final int ds = (int) c.pop(32) & 0xFFFF;
        final int fs = (int) c.pop(32) & 0xFFFF;
        final int gs = (int) c.pop(32) & 0xFFFF;
        s.rflags = (flags & 0x3F7FD7L) | 2;
        s.cpl = 3;
        final int[] sels = {es, cs, ss, ds, fs, gs};
        for (int seg = 0; seg < 6; seg++) {
            s.sel[seg] = sels[seg];
            s.segBase[seg] = (long) sels[seg] << 4;
            s.segLimit[seg] = 0xFFFF;
            s.segAttr[seg] = seg == CpuState.CS ? 0xFB : 0xF3;
        }
        s.rip = ip & 0xFFFF;
        s.gpr[Reg.RSP] = esp & 0xFFFFFFFFL;
    }

    static void iret(final Interpreter c, final DecodedInsn d) {
        final CpuState s = c.s;
        final int size = d.opSize;
        c.nmiBlocked = false; // any IRET ends NMI blocking (SDM Vol. 3A, 6.7.1)
        final boolean v86 = (s.rflags & CpuState.VM) != 0;
        if (v86 && ((s.rflags >> 12) & 3) != 3) {
            throw c.gp(0); // IOPL-sensitive in virtual-8086 mode
        }
        if (!c.protectedMode() || v86) {
            final long ip = c.pop(size);
            final int cs = (int) c.pop(size) & 0xFFFF;
            final long flags = c.pop(size);
            s.sel[CpuState.CS] = cs;
            s.segBase[CpuState.CS] = (long) cs << 4;
            s.rip = ip & Interpreter.mask(size);
            DataExec.writeFlags(c, flags, size); // in virtual-8086 mode IOPL and VM stay (CPL 3)
            return;
        }
        if ((s.rflags & CpuState.NT) != 0 && !c.longMode()) {
            TaskExec.switchTask(c, c.read16(s.segBase[CpuState.TR]), TaskExec.IRET, c.nextRip, false, 0); // back to the previous task
            return;
        }
        final long ip = c.pop(size);
        final int cs = (int) c.pop(size) & 0xFFFF;
        final long flags = c.pop(size);
        if ((flags & CpuState.VM) != 0 && s.cpl == 0 && size == 32 && !c.longMode()) {
            returnToV86(c, ip, cs, flags);
            return;
        }
        final int rpl = cs & 3;
        if (rpl < s.cpl) {
            throw c.gp(cs & 0xFFFC);
        }
        final boolean outer = rpl > s.cpl;
        long newSp = 0;
        int newSs = 0;
        if (outer || size == 64) {
            newSp = c.pop(size);
            newSs = (int) c.pop(size) & 0xFFFF;
        }
        DataExec.writeFlags(c, flags, size);
        final int savedCpl = s.cpl;
        s.cpl = rpl;
        try {
            c.loadCodeSegment(cs, ip);
        } catch (final CpuException e) {
            s.cpl = savedCpl;
            throw e;
        }
        if (outer || size == 64) {
            if ((newSs & 0xFFFC) == 0 && c.longMode() && rpl < 3) {
                s.sel[CpuState.SS] = newSs;
                s.segBase[CpuState.SS] = 0;
                s.segAttr[CpuState.SS] = 0;
            } else {
                c.loadSegment(CpuState.SS, newSs);
            }
            s.gpr[Reg.RSP] = newSp;
        }
        if (outer) {
            GateExec.nullInaccessible(s);
        }
    }
}
