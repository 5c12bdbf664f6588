package dev.dejavm.core.cpu;

import dev.dejavm.decoder.Reg;

/**
 * Far CALL/JMP through call gates and far RET to an outer privilege level (SDM Vol. 3A, 5.8): 16- and 32-bit call
 * gates in protected mode, 64-bit call gates in IA-32e mode, with the privilege checks and their error codes, the
 * stack switch from the TSS on a call to a more privileged level (copying the gate's parameter count of words or
 * dwords from the old stack), and on a return to an outer level the reload of SS:ESP and the nulling of data
 * segment registers the new privilege level may not use. A task gate or an available 32-bit TSS as the target
 * switches tasks ({@link TaskExec}).
 */
final class GateExec {
    private static final int[] DATA_SEGMENTS = {CpuState.ES, CpuState.DS, CpuState.FS, CpuState.GS};

    private GateExec() {
    }

    /** True when a far transfer to {@code selector} names a system descriptor (gate or TSS), handled here. */
    static boolean isSystemTarget(final Interpreter c, final int selector) {
        if (!c.protectedMode() || (c.s.rflags & CpuState.VM) != 0 || (selector & 0xFFFC) == 0) {
            return false;
        }
        return (c.readDescriptor(selector) & (1L << 44)) == 0;
    }

    /** Far CALL ({@code call}) or JMP through the gate at {@code selector}; {@code ret} is the return offset. */
    static void farGate(final Interpreter c, final int selector, final boolean call, final long ret) {
        final CpuState s = c.s;
        final long desc = c.readDescriptor(selector);
        final int type = (int) (desc >>> 40) & 0xF;
        final int gateDpl = (int) (desc >>> 45) & 3;
        final boolean lm = c.longMode();
        final int err = selector & 0xFFFC;
        if (type != 0xC && type != 0x5 && type != 0x9 && (lm || type != 0x4)) {
            throw c.gp(err); // busy TSS, 16-bit TSS, LDT, or a type that is not a gate here
        }
        if (gateDpl < s.cpl || gateDpl < (selector & 3)) {
            throw c.gp(err);
        }
        if (type == 0x5 || type == 0x9) { // task gate or available 32-bit TSS: a task switch
            if (lm) {
                throw c.gp(err);
            }
            if (type == 0x9) {
                TaskExec.switchTask(c, selector, call ? TaskExec.CALL : TaskExec.JMP, c.nextRip, false, 0);
            } else {
                TaskExec.viaGate(c, desc, call ? TaskExec.CALL : TaskExec.JMP, c.nextRip, false, 0, err);
            }
            return;
        }
        if ((desc & (1L << 47)) == 0) {
            throw c.fault.set(Interpreter.VEC_NP, err, true);
        }
        final int target = (int) (desc >>> 16) & 0xFFFF;
        long offset = (desc & 0xFFFF) | (type == 0x4 ? 0 : (desc >>> 32) & 0xFFFF0000L);
        final int params = (int) (desc >>> 32) & 0x1F;
        if (lm) {
            final long hi = c.readDescriptorHigh(selector);
            if (((hi >>> 40) & 0x1F) != 0) {
                throw c.gp(err);
            }
            offset |= (hi & 0xFFFFFFFFL) << 32;
        }
        if ((target & 0xFFFC) == 0) {
            throw c.gp(0);
        }
        final long cdesc = c.readDescriptor(target);
        final int attr = Interpreter.descAttr(cdesc);
        final int terr = target & 0xFFFC;
        if ((attr & 0x18) != 0x18) {
            throw c.gp(terr);
        }
        final int dpl = (attr >> 5) & 3;
        final boolean conforming = (attr & 4) != 0;
        if (call ? dpl > s.cpl : (conforming ? dpl > s.cpl : dpl != s.cpl)) {
            throw c.gp(terr);
        }
        if ((attr & 0x80) == 0) {
            throw c.fault.set(Interpreter.VEC_NP, terr, true);
        }
        if (lm && ((attr & CpuState.ATTR_L) == 0 || (attr & CpuState.ATTR_DB) != 0)) {
            throw c.gp(terr);
        }
        final int size = lm ? 64 : type == 0xC ? 32 : 16;
        final int newCpl = conforming ? s.cpl : dpl;
        final int oldCs = s.sel[CpuState.CS];
        if (call && newCpl < s.cpl) {
            innerCall(c, newCpl, size, params, oldCs, ret);
        } else if (call) {
            final long sp = s.gpr[Reg.RSP];
            final int savedCodeSize = c.codeSize;
            try {
                if (lm) {
                    c.codeSize = 64; // the pushes are 64-bit even from compatibility mode
                }
                c.push(size, oldCs);
                c.push(size, ret);
            } catch (final CpuException e) {
                s.gpr[Reg.RSP] = sp;
                throw e;
            } finally {
                c.codeSize = savedCodeSize;
            }
        }
        s.cpl = newCpl;
        s.sel[CpuState.CS] = terr | newCpl;
        s.segBase[CpuState.CS] = Interpreter.descBase(cdesc);
        s.segLimit[CpuState.CS] = Interpreter.descLimit(cdesc);
        s.segAttr[CpuState.CS] = attr;
        c.setAccessedPublic(target, cdesc);
        s.rip = lm ? offset : (attr & CpuState.ATTR_DB) != 0 ? offset & 0xFFFFFFFFL : offset & 0xFFFF;
    }

    /** CALL to a more privileged level: the new stack comes from the TSS; the old one is saved on it. */
    private static void innerCall(final Interpreter c, final int newCpl, final int size, final int params, final int oldCs, final long ret) {
        final CpuState s = c.s;
        final int oldSs = s.sel[CpuState.SS];
        final long oldSsBase = s.segBase[CpuState.SS];
        final long oldSsLimit = s.segLimit[CpuState.SS];
        final int oldSsAttr = s.segAttr[CpuState.SS];
        final long oldRsp = s.gpr[Reg.RSP];
        final int oldCpl = s.cpl;
        final int savedCodeSize = c.codeSize;
        final long tr = s.segBase[CpuState.TR];
        final int trErr = s.sel[CpuState.TR] & 0xFFFC;
        final boolean lm = c.longMode();
        // Read the parameters from the old stack before anything changes.
        final int pbytes = size / 8;
        final long[] copied = c.gateParams;
        final int oldStackSize = c.stackSize();
        for (int i = 0; i < params; i++) {
            final long sp = (oldRsp + (long) i * pbytes) & Interpreter.mask(oldStackSize);
            copied[i] = c.read(c.segLinear(CpuState.SS, sp, pbytes), size);
        }
        try {
            if (lm) {
                if (4 + 8L * newCpl + 7 > s.segLimit[CpuState.TR]) {
                    throw c.fault.set(Interpreter.VEC_TS, trErr, true);
                }
                final long rsp = c.read64(tr + 4 + 8L * newCpl);
                s.sel[CpuState.SS] = newCpl; // a null selector with RPL = the new CPL
                s.segBase[CpuState.SS] = 0;
                s.segLimit[CpuState.SS] = 0;
                s.segAttr[CpuState.SS] = 0;
                s.gpr[Reg.RSP] = rsp;
                c.codeSize = 64;
                c.push(64, oldSs);
                c.push(64, oldRsp);
            } else {
                enterInnerStack(c, newCpl);
                c.push(size, oldSs);
                c.push(size, oldRsp & Interpreter.mask(oldStackSize));
                for (int i = params - 1; i >= 0; i--) {
                    c.push(size, copied[i]);
                }
            }
            c.push(size, oldCs);
            c.push(size, ret);
        } catch (final CpuException e) {
            s.sel[CpuState.SS] = oldSs;
            s.segBase[CpuState.SS] = oldSsBase;
            s.segLimit[CpuState.SS] = oldSsLimit;
            s.segAttr[CpuState.SS] = oldSsAttr;
            s.gpr[Reg.RSP] = oldRsp;
            s.cpl = oldCpl;
            throw e;
        } finally {
            c.codeSize = savedCodeSize;
        }
    }

    /**
     * Legacy-mode switch to the stack of privilege level {@code newCpl} named by the current 16- or 32-bit TSS
     * (SS0:ESP0 etc.; SDM Vol. 3A, 5.8.5 and 7.12.1): #TS(TSS selector) if the TSS is too short, then the checks of
     * {@link #loadStack} with #TS for the new SS.
     */
    static void enterInnerStack(final Interpreter c, final int newCpl) {
        final CpuState s = c.s;
        final long tr = s.segBase[CpuState.TR];
        final int trType = s.segAttr[CpuState.TR] & 0xF;
        final boolean tss32 = trType == 0x9 || trType == 0xB;
        final long at = tss32 ? 4 + 8L * newCpl : 2 + 4L * newCpl;
        if (at + (tss32 ? 5 : 3) > s.segLimit[CpuState.TR]) {
            throw c.fault.set(Interpreter.VEC_TS, s.sel[CpuState.TR] & 0xFFFC, true);
        }
        final long newSp = tss32 ? c.read32(tr + at) & 0xFFFFFFFFL : c.read16(tr + at);
        final int newSs = c.read16(tr + at + (tss32 ? 4 : 2));
        loadStack(c, newSs, newCpl, true);
        s.gpr[Reg.RSP] = newSp;
    }

    /**
     * Loads SS for a privilege change to {@code cpl}: the selector's RPL and the descriptor's DPL must equal it, and
     * it must be a present writable data segment. Faults are #TS for a stack from the TSS, else #GP; not present
     * is #SS.
     */
    static void loadStack(final Interpreter c, final int selector, final int cpl, final boolean fromTss) {
        final CpuState s = c.s;
        final int err = selector & 0xFFFC;
        if (err == 0 || (selector & 3) != cpl) {
            throw fromTss ? c.fault.set(Interpreter.VEC_TS, err, true) : c.gp(err);
        }
        final long desc = c.readDescriptor(selector);
        final int attr = Interpreter.descAttr(desc);
        if ((attr & 0x1A) != 0x12 || ((attr >> 5) & 3) != cpl) {
            throw fromTss ? c.fault.set(Interpreter.VEC_TS, err, true) : c.gp(err);
        }
        if ((attr & 0x80) == 0) {
            throw c.fault.set(Interpreter.VEC_SS, err, true);
        }
        c.setAccessedPublic(selector, desc);
        s.sel[CpuState.SS] = selector & 0xFFFF;
        s.segBase[CpuState.SS] = Interpreter.descBase(desc);
        s.segLimit[CpuState.SS] = Interpreter.descLimit(desc);
        s.segAttr[CpuState.SS] = attr;
    }

    /**
     * RETF to an outer privilege level: CS:EIP already popped; pops SS:ESP after releasing {@code imm} bytes of
     * parameters, loads both for the new CPL, releases {@code imm} bytes on the outer stack too, and nulls DS, ES,
     * FS and GS when they hold data or non-conforming code segments more privileged than the new CPL.
     */
    static void outerReturn(final Interpreter c, final int cs, final long ip, final int size, final long imm) {
        final CpuState s = c.s;
        final int rpl = cs & 3;
        final int err = cs & 0xFFFC;
        if (err == 0) {
            throw c.gp(0);
        }
        final long cdesc = c.readDescriptor(cs);
        final int attr = Interpreter.descAttr(cdesc);
        if ((attr & 0x18) != 0x18) {
            throw c.gp(err);
        }
        final int dpl = (attr >> 5) & 3;
        final boolean conforming = (attr & 4) != 0;
        if (conforming ? dpl > rpl : dpl != rpl) {
            throw c.gp(err);
        }
        if ((attr & 0x80) == 0) {
            throw c.fault.set(Interpreter.VEC_NP, err, true);
        }
        final int ss = c.stackSize();
        c.setReg(Reg.RSP, ss, s.gpr[Reg.RSP] + imm);
        final long newSp = c.pop(size);
        final int newSs = (int) c.pop(size) & 0xFFFF;
        final boolean is64 = c.longMode() && (attr & CpuState.ATTR_L) != 0;
        if (is64 && (newSs & 0xFFFC) == 0 && rpl < 3) {
            s.sel[CpuState.SS] = newSs;
            s.segBase[CpuState.SS] = 0;
            s.segLimit[CpuState.SS] = 0;
            s.segAttr[CpuState.SS] = 0;
        } else {
            loadStack(c, newSs, rpl, false);
        }
        s.cpl = rpl;
        s.sel[CpuState.CS] = cs & 0xFFFF;
        s.segBase[CpuState.CS] = Interpreter.descBase(cdesc);
        s.segLimit[CpuState.CS] = Interpreter.descLimit(cdesc);
        s.segAttr[CpuState.CS] = attr;
        s.rip = is64 ? ip : (attr & CpuState.ATTR_DB) != 0 ? ip & 0xFFFFFFFFL : ip & 0xFFFF;
        final int newStack = (s.segAttr[CpuState.SS] & CpuState.ATTR_DB) != 0 || is64 ? (is64 ? 64 : 32) : 16;
        s.gpr[Reg.RSP] = newStack == 64 ? newSp + imm
            : (s.gpr[Reg.RSP] & ~Interpreter.mask(newStack)) | ((newSp + imm) & Interpreter.mask(newStack));
        nullInaccessible(s);
    }

    /** After a return to an outer level: DS, ES, FS, GS with DPL < CPL (data or non-conforming code) become null. */
    static void nullInaccessible(final CpuState s) {
        for (final int seg : DATA_SEGMENTS) {
            final int attr = s.segAttr[seg];
            final boolean dataOrNonConforming = (attr & 0x10) != 0 && ((attr & 0x08) == 0 || (attr & 0x04) == 0);
            if (dataOrNonConforming && ((attr >> 5) & 3) < s.cpl && (s.sel[seg] & 0xFFFC) != 0) {
                s.sel[seg] = 0;
                s.segAttr[seg] = 0;
                s.segBase[seg] = 0;
                s.segLimit[seg] = 0;
            }
        }
    }
}
